// The Files API subset: upload (multipart), list, metadata, download and delete. A session's
// outputs are downloadable; a file a client uploaded is not (400 file_not_downloadable), as on
// the platform, where uploads are inputs to mount, not to fetch back.
import type { BetaDeletedFile, BetaFileMetadata } from '@anthropic-ai/sdk/resources/beta/files';
import type { FastifyInstance } from 'fastify';
import { badRequest, badRequestCode, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { forwardPage } from '../paging.js';
import { iso } from '../state.js';
import { onlyQuery, type Query, queryArray, queryString } from '../validate.js';

interface Part {
  name: string;
  filename?: string;
  type: string;
  data: Buffer;
}

/** The parts of a multipart/form-data body (the SDK's upload sends one `file` part). */
function parts(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw badRequest('multipart/form-data needs a boundary.');
  const delim = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const out: Part[] = [];
  let at = body.indexOf(delim);
  while (at !== -1) {
    const start = at + delim.length + 2;
    const next = body.indexOf(delim, start);
    if (next === -1) break;
    const chunk = body.subarray(start, next - 2);
    const split = chunk.indexOf('\r\n\r\n');
    const head = chunk.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream';
    out.push({ name, filename, type, data: chunk.subarray(split + 4) });
    at = next;
  }
  return out;
}

export function fileRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );

  const file = (id: string) => {
    const f = ctx.state.files.get(id);
    if (!f) throw notFound('File', id);
    return f;
  };

  app.post('/v1/files', async (req): Promise<BetaFileMetadata> => {
    const type = String(req.headers['content-type'] ?? '');
    if (!Buffer.isBuffer(req.body) || !type.startsWith('multipart/form-data'))
      throw badRequest('Upload a file as multipart/form-data with a "file" part.');
    const part = parts(req.body, type).find((p) => p.name === 'file');
    if (!part) throw badRequest('The upload has no "file" part.');
    const id = ctx.ids.next('file');
    const meta: BetaFileMetadata = {
      id,
      type: 'file',
      filename: part.filename ?? 'upload',
      mime_type: part.type,
      size_bytes: part.data.length,
      created_at: iso(ctx.clock.now()),
      downloadable: false,
    };
    ctx.state.files.set(id, { meta, content: part.data.toString('utf8') });
    ctx.state.remember(id);
    return meta;
  });

  app.get('/v1/files', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['scope_id', 'ids[]', 'ids', 'limit', 'page', 'before_id', 'after_id']);
    const scope = queryString(q, 'scope_id');
    const ids = queryArray(q, 'ids');
    const items = [...ctx.state.files.values()]
      .map((f) => f.meta)
      .filter(
        (m) => (scope === undefined || m.scope?.id === scope) && (ids === undefined || ids.includes(m.id)),
      )
      .sort(ctx.state.newestFirst);
    return forwardPage(q, items, (m) => m.id, 'desc');
  });

  app.get<{ Params: { id: string } }>(
    '/v1/files/:id',
    async (req): Promise<BetaFileMetadata> => file(req.params.id).meta,
  );

  app.get<{ Params: { id: string } }>('/v1/files/:id/content', async (req, reply) => {
    const f = file(req.params.id);
    if (f.meta.downloadable === false)
      throw badRequestCode(
        'file_not_downloadable',
        `File ${f.meta.id} was uploaded and cannot be downloaded.`,
      );
    reply.header('content-type', f.meta.mime_type);
    reply.header('content-disposition', `attachment; filename="${f.meta.filename}"`);
    return f.content;
  });

  app.delete<{ Params: { id: string } }>('/v1/files/:id', async (req): Promise<BetaDeletedFile> => {
    const f = file(req.params.id);
    ctx.state.files.delete(f.meta.id);
    return { id: f.meta.id, type: 'file_deleted' };
  });
}
