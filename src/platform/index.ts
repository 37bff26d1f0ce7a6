export { createPlatform, definitionHash, NAME_KEY, type PlatformOptions } from './client.js';
export { isNotFound, platformDetails, type PlatformErrorDetails, retryAfterMs, toPlatformError } from './errors.js';
export * from './types.js';
