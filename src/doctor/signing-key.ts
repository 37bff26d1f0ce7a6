// Signing key format: the mistakes seen in practice are a missing whsec_ prefix, whitespace from
// copy-paste (a trailing newline in an env file), a truncated secret, and no key at all.
import { parseSecret, SECRET_PREFIX } from '../webhooks/secret.js';
import { type CheckResult, fail, pass } from './check.js';

const NAME = 'signing key';
const CONSOLE =
  'copy the endpoint secret again from the Console (Manage > Webhooks) and pass it with --signing-key or ANTHROPIC_WEBHOOK_SIGNING_KEY';

/** `raw` are the keys exactly as configured (not trimmed), one per key. */
export function checkSigningKeys(raw: string[]): CheckResult[] {
  const keys = raw.filter((k) => k.length > 0);
  if (keys.length === 0)
    return [
      fail(
        NAME,
        'no signing key configured: serve refuses to start without one',
        `${CONSOLE}; with no public URL (a laptop), serve --no-webhooks needs none (check that setup with doctor --no-webhooks)`,
      ),
    ];
  return keys.map((key, i) => {
    const name = keys.length > 1 ? `${NAME} #${i + 1}` : NAME;
    const shown = `${key.trim().slice(0, 10)}…`;
    if (/\s/.test(key))
      return fail(
        name,
        `${JSON.stringify(shown)} contains whitespace (${/^\s|\s$/.test(key) ? 'leading or trailing' : 'inside'})`,
        'remove spaces and newlines around the key (check the env file or the secret store for a trailing newline)',
      );
    if (!key.startsWith(SECRET_PREFIX))
      return fail(
        name,
        `${shown} does not start with whsec_`,
        `use the whole secret, including the whsec_ prefix; ${CONSOLE}`,
      );
    const decoded = parseSecret(key);
    if (!decoded) return fail(name, `${shown} is not base64 after whsec_ (truncated or mistyped)`, CONSOLE);
    const bytes = decoded.length;
    if (bytes < 24)
      return fail(
        name,
        `${shown} decodes to ${bytes} bytes; Console secrets decode to 32`,
        `the key looks truncated: ${CONSOLE}`,
      );
    return pass(name, `${shown} well-formed (${bytes} bytes)`);
  });
}
