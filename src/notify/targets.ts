// `notify:` targets in agenthooks.yaml: where signed run.finished events go and for which runs.
// Parsed here (config-file.ts hands over the raw value) so that errors name the field to fix.
import { z } from 'zod';
import { AppError } from '../errors.js';
import { FINAL_STATUSES } from '../runs/state.js';
import type { Run, RunStatus } from '../store/types.js';
import { webhookKeysFromSecrets } from '../webhooks/verify.js';

const targetSchema = z
  .object({
    url: z
      .string()
      .url('url must be an absolute http(s) URL, e.g. https://example.com/hooks/agents')
      .refine((u) => /^https?:\/\//i.test(u), 'url must start with http:// or https://'),
    secret: z.string().startsWith('whsec_', 'secret must be a whsec_... signing secret').optional(),
    agents: z.array(z.string().min(1)).optional(),
    pipelines: z.array(z.string().min(1)).optional(),
    statuses: z.array(z.enum(FINAL_STATUSES)).optional(),
  })
  .strict();

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, _ . - (at most 64)');
const notifySchema = z.record(name, targetSchema);

export interface NotifyTarget {
  name: string;
  url: string;
  /** Null when the file gives none: serve generates one, keeps it in the store and prints it. */
  secret: string | null;
  /** Empty = any. Matches the run's agent name or agent id. */
  agents: string[];
  pipelines: string[];
  statuses: RunStatus[];
}

/** Validates the raw `notify:` value; `file` prefixes errors. */
export function parseNotifyTargets(raw: unknown, file: string): NotifyTarget[] {
  if (raw === undefined || raw === null) return [];
  const parsed = notifySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ['notify', ...issue.path.map(String)].join('.');
    throw new AppError('config_invalid', `${file}: ${field}: ${issue.message}`, { details: { file, field } });
  }
  return Object.entries(parsed.data).map(([n, t]) => {
    if (t.secret !== undefined) {
      try {
        webhookKeysFromSecrets([t.secret]);
      } catch {
        throw new AppError(
          'config_invalid',
          `${file}: notify.${n}.secret: not a valid whsec_ base64 secret.`,
        );
      }
    }
    return {
      name: n,
      url: t.url,
      secret: t.secret ?? null,
      agents: t.agents ?? [],
      pipelines: t.pipelines ?? [],
      statuses: t.statuses ?? [],
    };
  });
}

/** Whether a final run is one the target asked for (every given filter must match). */
export function targetMatches(t: NotifyTarget, run: Run): boolean {
  if (t.statuses.length > 0 && !t.statuses.includes(run.status)) return false;
  if (t.agents.length > 0 && !t.agents.some((a) => a === run.agentName || a === run.agentId)) return false;
  if (t.pipelines.length > 0 && (run.pipeline === null || !t.pipelines.includes(run.pipeline))) return false;
  return true;
}
