// A PostgreSQL password never appears in a message or a log line, whether it is the user part of
// the URL or a password= (or sslpassword=) query parameter: in the printable location, in store
// errors and pool log lines, and in what the CLI prints.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redactDatabaseSecrets, resolveDatabase } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import { toAppError } from '../../src/store/postgres/errors.js';
import { cli } from '../cli/helpers.js';
import { testServerUrl } from '../support/postgres.js';

const SECRET = 'hunter2-Secret';
// 127.0.0.1:1 refuses at once: the error paths run without a server.
const URLS = [
  `postgres://agent:${SECRET}@127.0.0.1:1/agenthooks`,
  `postgresql://agent@127.0.0.1:1/agenthooks?password=${SECRET}&sslmode=disable`,
  `postgres://127.0.0.1:1/agenthooks?user=agent&sslpassword=${SECRET}`,
];

class Lines extends Writable {
  text = '';
  _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('PostgreSQL passwords', () => {
  it('are masked in the printable location', () => {
    for (const url of URLS) {
      const loc = resolveDatabase(url, {}, '/tmp');
      expect(loc.url).toBe(url);
      expect(loc.display).not.toContain(SECRET);
      expect(loc.display).toContain('***');
    }
    expect(resolveDatabase(undefined, { DATABASE_URL: URLS[1] }, '/tmp').display).not.toContain(SECRET);
  });

  it('are masked in free text such as a driver message', () => {
    const text = `could not connect to ${URLS[0]} (password=${SECRET} sslpassword=${SECRET})`;
    expect(redactDatabaseSecrets(text)).not.toContain(SECRET);
    const err = Object.assign(new Error(`bad connection string ${URLS[1]}`), { code: 'XX000' });
    expect(toAppError(err, 'db').message).not.toContain(SECRET);
  });

  it('never reach a store error or a log line', async () => {
    for (const url of URLS) {
      const out = new Lines();
      const logger = createLogger({ level: 'debug', destination: out });
      const err = await openStore(resolveDatabase(url, {}, '/tmp'), { create: true, logger }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).not.toBeNull();
      expect(err?.message).not.toContain(SECRET);
      expect(JSON.stringify(err)).not.toContain(SECRET);
      expect(out.text).not.toContain(SECRET);
    }
  });

  it('are not printed by the CLI', async () => {
    for (const url of URLS) {
      const r = await cli(['runs', '--database', url]);
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET);
    }
  });

  it('a wrong password against a real server is refused without echoing it', async () => {
    const u = new URL(testServerUrl());
    u.password = SECRET;
    const out = new Lines();
    const logger = createLogger({ level: 'debug', destination: out });
    const loc = resolveDatabase(u.toString(), {}, '/tmp');
    const result = await openStore(loc, { create: true, logger }).then(
      async (store) => {
        // A trust-auth server lets any password in: then only the location is shown.
        const location = (store as { location?: string }).location ?? '';
        await store.close();
        return location;
      },
      (e: Error) => e.message,
    );
    expect(result).not.toContain(SECRET);
    expect(out.text).not.toContain(SECRET);
  });
});
