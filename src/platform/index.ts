export { createPlatform, definitionHash, NAME_KEY, type PlatformOptions } from './client.js';
export {
  isNotFound,
  type PlatformErrorDetails,
  platformDetails,
  retryAfterMs,
  toPlatformError,
} from './errors.js';
export * from './types.js';
