// `agenthooks doctor`: runs every check in order and returns the checklist. Checks never throw:
// each failure is a line that says what to fix.
import type { Clock } from '../clock.js';
import type { DatabaseLocation, PlatformSettings } from '../config.js';
import type { Logger } from '../logger.js';
import { checkApi } from './api.js';
import { type CheckResult, skip } from './check.js';
import { checkDatabase } from './database.js';
import { checkPublicUrl, type PublicUrlPolicy } from './public-url.js';
import { checkSigningKeys } from './signing-key.js';

export interface DoctorOptions {
  /** Signing keys exactly as configured (untrimmed). */
  signingKeys: string[];
  database: DatabaseLocation;
  platform: PlatformSettings;
  publicUrl?: string;
  clock: Clock;
  logger: Logger;
  policy?: PublicUrlPolicy;
  apiTimeoutMs?: number;
  /** False for the setup of serve --no-webhooks: no signing key and no public URL to check. */
  webhooks?: boolean;
}

/** Where each way of running agenthooks belongs, said wherever the doctor meets the question. */
export const NO_WEBHOOKS_HINT =
  'on a laptop or any machine with no public URL, run agenthooks serve --no-webhooks (no tunnel, no signing key)';
const NOT_NEEDED = 'not needed: serve --no-webhooks receives no webhooks';

export async function runDoctor(o: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const webhooks = o.webhooks !== false;
  const keyResults = webhooks ? checkSigningKeys(o.signingKeys) : [skip('signing key', NOT_NEEDED)];
  results.push(...keyResults);
  const db = await checkDatabase(o.database, o.logger);
  results.push(db.result);
  try {
    results.push(...(await checkApi(o.platform, o.clock, o.apiTimeoutMs)));
    if (!webhooks) {
      results.push(skip('public URL', `${NOT_NEEDED} (webhooks are the production setup)`));
    } else if (o.publicUrl === undefined) {
      results.push(
        skip(
          'public URL',
          'not checked',
          `in production pass --public-url https://your.host/webhooks (the URL registered in the Console); ${NO_WEBHOOKS_HINT}`,
        ),
      );
    } else {
      const keys = keyResults.every((r) => r.status === 'pass') ? o.signingKeys : [];
      results.push(
        await checkPublicUrl(o.publicUrl, { clock: o.clock, signingKeys: keys, store: db.store }, o.policy),
      );
    }
  } finally {
    await db.store?.close();
  }
  return results;
}
