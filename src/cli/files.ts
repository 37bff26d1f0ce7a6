// `agenthooks files RUN [--out DIR]`: the files a run's session wrote (/mnt/session/outputs/),
// through the Files API with scope_id = the session id; --out downloads them.
import path from 'node:path';
import { Command } from 'commander';
import { resolvePlatform } from '../config.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { createPlatform } from '../platform/client.js';
import type { PlatformFile } from '../platform/types.js';
import { downloadFiles } from '../runs/files.js';
import { type CliContext, EXIT, print } from './context.js';
import { renderTable, styleFor } from './format.js';
import { platformFor } from './runtime.js';
import { safeText } from './safe-text.js';

export function filesCommand(ctx: CliContext): Command {
  return new Command('files')
    .description(
      "List a run's output files (what the session wrote to /mnt/session/outputs/); --out downloads them. " +
        'Files can appear a few seconds after the session goes idle.',
    )
    .argument('<run>', 'run id (the session id, sesn_...)')
    .option('--out <dir>', 'download every file into this directory (created if missing)')
    .option('--json', 'print a JSON array')
    .option('--api-key <key>', 'platform API key (default ANTHROPIC_API_KEY)')
    .option('--base-url <url>', 'platform URL (default ANTHROPIC_BASE_URL, else the real API)')
    .action(
      async (run: string, flags: { out?: string; json?: boolean; apiKey?: string; baseUrl?: string }) => {
        if (!/^sesn_[A-Za-z0-9_-]+$/.test(run))
          throw new AppError('usage', `RUN must be a run id (sesn_...), got ${JSON.stringify(run)}.`);
        const { platform } = platformFor(ctx, flags, 'files reads the Files API');
        const files = await platform.listFiles(run);
        const saved = flags.out
          ? await downloadFiles(platform, files, path.resolve(ctx.cwd, flags.out))
          : null;
        if (flags.json) {
          print(ctx.stdout, JSON.stringify(saved ?? files, null, 2));
        } else if (files.length === 0) {
          print(
            ctx.stdout,
            `No output files for ${run} (yet: they can appear a few seconds after the session goes idle).`,
          );
        } else {
          const byId = new Map((saved ?? []).map((s) => [s.id, s.path]));
          print(
            ctx.stdout,
            renderTable<PlatformFile>(
              [
                { header: 'FILE', value: (f) => f.id },
                { header: 'NAME', value: (f) => f.filename },
                { header: 'TYPE', value: (f) => f.mimeType },
                { header: 'BYTES', value: (f) => String(f.sizeBytes), align: 'right' },
                { header: 'CREATED', value: (f) => f.createdAt.slice(0, 19).replace('T', ' ') },
                ...(saved
                  ? [
                      {
                        header: 'SAVED AS',
                        value: (f: PlatformFile) => byId.get(f.id) ?? '(not downloadable)',
                      },
                    ]
                  : []),
              ],
              files,
              styleFor(ctx.stdout, ctx.env),
            ),
          );
        }
        ctx.exitCode = EXIT.ok;
      },
    );
}

/** For `runs show`: the run's output files when an API key is configured, else null (with why).
 * A failing listing never fails the show: the stored run is still worth printing. */
export async function filesForShow(
  ctx: CliContext,
  runId: string,
): Promise<{ files: PlatformFile[] | null; note: string | null }> {
  const settings = resolvePlatform({}, ctx.env);
  if (!settings.apiKey) return { files: null, note: 'set ANTHROPIC_API_KEY to list output files' };
  try {
    const logger = createLogger({ level: 'silent', destination: ctx.stderr });
    const platform = createPlatform({
      apiKey: settings.apiKey,
      baseURL: settings.baseURL,
      logger,
      timeoutMs: 10_000,
    });
    return { files: await platform.listFiles(runId), note: null };
  } catch (err) {
    return { files: null, note: `could not list output files: ${(err as Error).message}` };
  }
}

export function renderFilesSection(
  runId: string,
  r: { files: PlatformFile[] | null; note: string | null },
): string {
  if (r.files === null) return `\nOutput files: ${safeText(r.note ?? '')}\n`;
  if (r.files.length === 0) return '\nOutput files: none\n';
  const lines = r.files.map((f) => safeText(`  ${f.filename}  ${f.sizeBytes} bytes  ${f.id}`));
  return `\nOutput files (download: npx agenthooks files ${runId} --out DIR):\n${lines.join('\n')}\n`;
}
