export { createPlatform, type PlatformOptions } from './client.js';
export {
  isNotFound,
  type PlatformErrorDetails,
  platformDetails,
  retryAfterMs,
  toPlatformError,
} from './errors.js';
export { definitionHash, NAME_KEY } from './resources.js';
export { createSdkClient, type SdkClientOptions } from './sdk.js';
export * from './types.js';
