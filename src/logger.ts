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
