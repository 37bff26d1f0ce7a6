// Dashboard login sessions: the cookie holds a random id; the store keeps (under the id's hash)
// when it expires and which token it was made for, so logout revokes it on every replica and a new
// AGENTHOOKS_TOKEN ends every old session. Kept in the meta table: one small row per login.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { MetaStore } from '../store/types.js';

/** How long a browser stays logged in. */
export const SESSION_MAX_AGE_S = 7 * 24 * 3600;
const PREFIX = 'dashboard.session.';
const REVOKED = 'revoked';

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The meta key of a session id: its hash, so a database reader cannot replay a cookie. */
function keyOf(id: string): string {
  return `${PREFIX}${hash(id)}`;
}

export class Sessions {
  constructor(
    private readonly meta: MetaStore,
    private readonly clock: Clock,
    private readonly token: string,
  ) {}

  /** A new session; returns the cookie value. */
  async create(): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const expires = this.clock.now() + SESSION_MAX_AGE_S * 1000;
    await this.meta.setMeta(keyOf(id), `${expires}:${hash(this.token)}`);
    return id;
  }

  /** True for a session that exists, was made for the current token, and has not expired. */
  async valid(id: string): Promise<boolean> {
    // Ids are 43 base64url characters; anything else is not worth a database read.
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return false;
    const v = await this.meta.getMeta(keyOf(id));
    if (v === null || v === REVOKED) return false;
    const [expires, tokenHash] = v.split(':');
    return tokenHash === hash(this.token) && Number(expires) > this.clock.now();
  }

  async revoke(id: string): Promise<void> {
    if (/^[A-Za-z0-9_-]{43}$/.test(id) && (await this.meta.getMeta(keyOf(id))) !== null)
      await this.meta.setMeta(keyOf(id), REVOKED);
  }
}
