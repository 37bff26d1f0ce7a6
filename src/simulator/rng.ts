// Seeded randomness. Every decision is derived from (seed, a stable label), never from a shared
// stream consumed in arrival order, so the same seed gives the same behaviour even when requests,
// timers and deliveries interleave differently between two runs.
import { createHash } from 'node:crypto';

/** A number in [0, 1) determined only by the seed and the label parts. */
export function unitFor(seed: number | string, ...parts: Array<string | number>): number {
  const digest = createHash('sha256')
    .update(`${seed}\u0000${parts.join('\u0000')}`)
    .digest();
  // 48 bits are plenty for fractions and stay exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** True with probability `rate` for this label. */
export function chance(seed: number | string, rate: number, ...parts: Array<string | number>): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return unitFor(seed, ...parts) < rate;
}

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** `len` characters of a base-58 alphabet derived from the label; used for ids. */
export function tokenFor(seed: number | string, len: number, ...parts: Array<string | number>): string {
  const digest = createHash('sha256')
    .update(`${seed}\u0001${parts.join('\u0000')}`)
    .digest();
  let out = '';
  for (let i = 0; i < len; i++) out += ALPHABET[digest[i % digest.length] % ALPHABET.length];
  return out;
}
