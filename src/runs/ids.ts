// Random ids for launches and worker owners: 20 base32 characters (100 bits) is plenty to never collide.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function randomId(prefix: string, length = 20): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! & 31];
  return out;
}
