/**
 * selectKth reorders `a` so that a[k] is the value it would hold if sorted, and returns it
 * (Hoare's quickselect, median-of-three pivot): O(n), where a typed-array sort is O(n log n) and, in
 * V8, slow for the short arrays a forecast handles ten thousand times per evaluation.
 */
export function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot, moved to a[hi].
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[mid]! < a[hi]!) swap(a, mid, hi);
    const pivot = a[hi]!;
    let store = lo;
    for (let i = lo; i < hi; i++) {
      if (a[i]! < pivot) {
        swap(a, i, store);
        store++;
      }
    }
    swap(a, store, hi);
    if (store === k) return a[k]!;
    if (store < k) lo = store + 1;
    else hi = store - 1;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** medianOf returns the median of `a` (mean of the two middle values for an even length), reordering it. */
export function medianOf(a: Float64Array): number {
  const n = a.length;
  if (n === 0) return NaN;
  const hi = selectKth(a, n >> 1);
  if (n % 2) return hi;
  // After selection every value left of n/2 is ≤ hi: the lower middle is their maximum.
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}
