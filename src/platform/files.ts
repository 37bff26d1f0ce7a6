// The Files API, where a session's /mnt/session/outputs/ land, scoped by the session id.
import type Anthropic from '@anthropic-ai/sdk';
import { platformCall } from './errors.js';
import type { PlatformFile } from './types.js';

/**
 * The beta the Files API needs for session-scoped files (reference section 5); unlike the
 * sessions resource, the SDK's files resource does not add it by itself.
 */
const MANAGED_AGENTS_BETA = 'managed-agents-2026-04-01';

export function listFiles(client: Anthropic, scopeId: string): Promise<PlatformFile[]> {
  return platformCall(`list files of ${scopeId}`, async () => {
    const out: PlatformFile[] = [];
    // The SDK's page iterator follows next_page; each page is one read.
    for await (const f of client.beta.files.list({
      scope_id: scopeId,
      limit: 100,
      betas: [MANAGED_AGENTS_BETA],
    })) {
      out.push({
        id: f.id,
        filename: f.filename,
        mimeType: f.mime_type,
        sizeBytes: f.size_bytes,
        createdAt: f.created_at,
        downloadable: f.downloadable !== false,
      });
    }
    return out;
  });
}

export function downloadFile(client: Anthropic, id: string): Promise<Buffer> {
  return platformCall(`download file ${id}`, async () => {
    const res = await client.beta.files.download(id, { betas: [MANAGED_AGENTS_BETA] });
    return Buffer.from(await res.arrayBuffer());
  });
}
