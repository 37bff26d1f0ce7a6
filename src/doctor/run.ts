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
}

export async function runDoctor(o: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const keyResults = checkSigningKeys(o.signingKeys);
  results.push(...keyResults);
  const db = await checkDatabase(o.database, o.logger);
  results.push(db.result);
  try {
    results.push(...(await checkApi(o.platform, o.clock, o.apiTimeoutMs)));
    if (o.publicUrl === undefined) {
      results.push(
        skip(
          'public URL',
          'not checked',
          'pass --public-url https://your.host/webhooks (the URL registered in the Console)',
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
