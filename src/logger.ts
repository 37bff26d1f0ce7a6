// pino, writing JSON lines to stderr. Secrets and signatures are redacted wherever they appear in
// logged objects, so a careless log call cannot leak them.
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'apiKey',
  'signingKey',
  'signingKeys',
  'token',
  'headers.authorization',
  'headers["webhook-signature"]',
  'headers["x-api-key"]',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers["webhook-signature"]',
  'req.headers.cookie',
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
    },
    (options.destination ?? process.stderr) as DestinationStream,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });

export interface WarnLimiterOptions {
  /** How long an identical warning stays quiet after it is written. Default 60 s. */
  windowMs?: number;
  now?: () => number;
}

/** Distinct warnings remembered at once; past it the memory starts afresh (a flood of distinct ones). */
const MAX_KEYS = 1000;

/**
 * A warn() that writes an identical warning (same message and fields) at most once per window;
 * the next one written carries `repeated`, how many were held back meanwhile. For warnings that
 * any request can trigger (a store that is down), so a burst writes one line, not thousands.
 */
export function warnLimiter(
  logger: Logger,
  options: WarnLimiterOptions = {},
): (fields: Record<string, unknown>, msg: string) => void {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const seen = new Map<string, { until: number; held: number }>();
  return (fields, msg) => {
    const key = `${msg}\u0000${JSON.stringify(fields)}`;
    const t = now();
    const entry = seen.get(key);
    if (entry && t < entry.until) {
      entry.held += 1;
      return;
    }
    if (!entry && seen.size >= MAX_KEYS) seen.clear();
    logger.warn(entry?.held ? { ...fields, repeated: entry.held } : fields, msg);
    seen.set(key, { until: t + windowMs, held: 0 });
  };
}
