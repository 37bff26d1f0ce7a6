// The one place the official SDK client is built (DESIGN.md semantics 8): every option that the SDK
// would otherwise read from ANTHROPIC_* variables is given explicitly, so stray environment
// variables never change its behaviour behind the config.
import Anthropic from '@anthropic-ai/sdk';

export interface SdkClientOptions {
  apiKey: string;
  baseURL: string;
  /** Per request, in ms. */
  timeoutMs: number;
  /** The transport, when a caller needs to see each request (counting, reading headers). */
  fetch?: typeof fetch;
}

export function createSdkClient(options: SdkClientOptions): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey,
    authToken: null,
    baseURL: options.baseURL,
    webhookKey: null,
    // agenthooks retries itself (worker backoff, reconciler), with the platform's retry-after.
    maxRetries: 0,
    timeout: options.timeoutMs,
    logLevel: 'off',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
