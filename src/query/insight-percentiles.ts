// p50 and p95 of a group's durations by selection rather than sorting. The all-agents figures
// take percentiles of every group and every day of it (about five times the window's runs in
// all); a selection finds each in a few linear passes where a sort orders every element.

/**
 * Rearranges a[lo..hi] so that a[k] holds the value a sort would put there, nothing larger
 * before it and nothing smaller after it (Hoare's FIND, median-of-three pivots). A range that
 * keeps splitting badly is sorted instead, so the worst case stays n log n.
 */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  let budget = 2 * Math.ceil(Math.log2(hi - lo + 2)) + 8;
  while (hi > lo) {
    if (budget-- <= 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    const x = a[lo] as number;
    const y = a[lo + ((hi - lo) >> 1)] as number;
    const z = a[hi] as number;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] <= pivot <= a[i..hi], and everything between j and i equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** Nearest-rank p50 and p95 of `values` (reordered in place); nulls when it is empty. */
export function p50p95(values: Float64Array): [number | null, number | null] {
  const n = values.length;
  if (n === 0) return [null, null];
  const rank = (p: number) => Math.max(0, Math.ceil((p / 100) * n) - 1);
  const k95 = rank(95);
  const k50 = rank(50);
  select(values, k95, 0, n - 1);
  // Everything before k95 is no larger than a[k95], so the median lies in a[0..k95].
  select(values, k50, 0, k95);
  return [values[k50] as number, values[k95] as number];
}
