// The package's library entry (`import { createAgenthooks } from 'agenthooks'`). docs/library.md
// shows each use. Only what users need is exported; everything else stays internal.
export { type Clock, systemClock } from './clock.js';
export type { ConfigFile } from './config-file.js';
export {
  type Agenthooks,
  type AgenthooksOptions,
  type AgenthooksWorker,
  createAgenthooks,
} from './embed/agenthooks.js';
export type { ExpressMiddleware, ExpressRequestLike } from './embed/express.js';
export type { AgenthooksFastifyPlugin, FastifyPluginOptions } from './embed/fastify.js';
export type { FetchHandler } from './embed/fetch.js';
export type { HonoContextLike, HonoHandler } from './embed/hono.js';
export { AppError, ERROR_CODES, type ErrorCode, isAppError } from './errors.js';
export type {
  HandleWebhook,
  WebhookRequest,
  WebhookResponse,
} from './ingest/receiver.js';
export { createLogger, type Logger } from './logger.js';
export { createPlatform, type Platform, type PlatformOptions } from './platform/index.js';
export type { LaunchOptions, LaunchResult } from './runs/launch.js';
export type { WaitOptions, WaitResult } from './runs/wait.js';
export type { RuntimeSettings } from './runtime.js';
export { openStore } from './store/open.js';
export type {
  EventQuery,
  Run,
  RunHistoryEntry,
  RunQuery,
  RunStatus,
  Store,
  StoredEvent,
} from './store/types.js';
export { type HeaderBag, headersToObject } from './webhooks/headers.js';
export { generateSecret, signedHeaders } from './webhooks/sign.js';
export { createVerifier, type Verifier } from './webhooks/verify.js';
