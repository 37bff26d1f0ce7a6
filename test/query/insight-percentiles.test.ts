// The selection behind the duration percentiles agrees with sorting (nearest rank) on every size
// from 0 to 300 and on big arrays: random, all equal, few distinct values, sorted and reversed.
import { describe, expect, it } from 'vitest';
import { p50p95 } from '../../src/query/insight-percentiles.js';

let seed = 11;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

function bySort(xs: number[]): [number | null, number | null] {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) =>
    s.length ? (s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] as number) : null;
  return [at(50), at(95)];
}

const shapes: Record<string, (n: number) => number[]> = {
  random: (n) => Array.from({ length: n }, () => Math.floor(rand() * 3_600_000)),
  equal: (n) => Array.from({ length: n }, () => 1000),
  few: (n) => Array.from({ length: n }, () => Math.floor(rand() * 3) * 500),
  ascending: (n) => Array.from({ length: n }, (_, i) => i * 7),
  descending: (n) => Array.from({ length: n }, (_, i) => (n - i) * 7),
  organ: (n) => Array.from({ length: n }, (_, i) => Math.min(i, n - i)),
};

describe('p50p95', () => {
  for (const [name, make] of Object.entries(shapes)) {
    it(`matches a sort: ${name}`, () => {
      for (let n = 0; n <= 300; n++) {
        const xs = make(n);
        expect(p50p95(Float64Array.from(xs)), `${name} n=${n}`).toEqual(bySort(xs));
      }
      for (const n of [4095, 100_000]) {
        const xs = make(n);
        expect(p50p95(Float64Array.from(xs)), `${name} n=${n}`).toEqual(bySort(xs));
      }
    });
  }
});
