/** z for a two-sided 95% interval. */
const Z = 1.959964;

/**
 * The Wilson score interval of a proportion (95%): unlike the plain
 * p ± z·√(p(1−p)/n) it stays inside [0, 1] and is honest for small n and for
 * rates near 0 or 1, which is where small wards and units sit.
 */
export function wilson(successes: number, n: number): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = Z * Z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The k-th smallest value (0-based) of values[lo, hi), reordering them in place (Hoare's selection). */
function select(values: Float64Array, k: number, lo: number, hi: number): number {
  let left = lo;
  let right = hi - 1;
  while (left < right) {
    const pivot = values[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return values[k];
  }
  return values[k];
}

/**
 * The exact median of values[lo, hi) as percentile_cont(0.5) computes it: the
 * mean of the two middle values when their count is even. Linear time; the
 * range is reordered.
 */
export function medianOf(values: Float64Array, lo = 0, hi = values.length): number | null {
  const n = hi - lo;
  if (n <= 0) return null;
  const k = lo + ((n - 1) >> 1);
  const low = select(values, k, lo, hi);
  if (n % 2 === 1) return low;
  // After selecting k, every value above position k is at least values[k]: the next order statistic is their minimum.
  let high = Infinity;
  for (let i = k + 1; i < hi; i++) if (values[i] < high) high = values[i];
  return (low + high) / 2;
}
