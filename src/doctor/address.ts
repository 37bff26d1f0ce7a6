// The public-address rule: the platform delivers over the internet, so a public URL that resolves
// to a loopback, private, link-local, CGNAT or unique-local address cannot be reached by it.
import { isIP } from 'node:net';

/** Why `address` is not publicly routable, or null when it is. */
export function nonPublicReason(address: string): string | null {
  const v = isIP(address);
  if (v === 4) {
    const [a, b] = address.split('.').map(Number);
    if (a === 127) return 'a loopback address';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
    if (a === 169 && b === 254) return 'a link-local address';
    if (a === 100 && b >= 64 && b <= 127) return 'a carrier-grade NAT address';
    if (a === 0 || a >= 224) return 'not a unicast address';
    return null;
  }
  if (v === 6) {
    const x = address.toLowerCase();
    if (x === '::1') return 'a loopback address';
    if (x === '::') return 'not a unicast address';
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(x);
    if (mapped) return nonPublicReason(mapped[1]);
    if (/^f[cd]/.test(x)) return 'a unique-local (private) address';
    if (/^fe[89ab]/.test(x)) return 'a link-local address';
    if (x.startsWith('ff')) return 'not a unicast address';
    return null;
  }
  return 'not an IP address';
}
