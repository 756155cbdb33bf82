/** Small statistics: medians of repeated runs and a least-squares line. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const min = (xs: readonly number[]): number => Math.min(...xs);
export const max = (xs: readonly number[]): number => Math.max(...xs);

/** "median (min–max, n runs)", for the notes. */
export function spread(xs: readonly number[], fmt: (x: number) => string): string {
  return `${fmt(median(xs))} (${fmt(min(xs))}–${fmt(max(xs))}, n=${xs.length})`;
}

export interface Fit {
  /** Intercept: fixed cost. */
  a: number;
  /** Slope: cost per unit. */
  b: number;
  r2: number;
}

/** Ordinary least squares y = a + b·x, with the coefficient of determination. */
export function linearFit(xs: readonly number[], ys: readonly number[]): Fit {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const b = sxy / sxx;
  const a = my - b * mx;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (ys[i] - (a + b * xs[i])) ** 2;
    ssTot += (ys[i] - my) ** 2;
  }
  return { a, b, r2: 1 - ssRes / ssTot };
}

export const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
export const fmtUs = (us: number): string => (us >= 100 ? `${us.toFixed(0)} µs` : `${us.toFixed(1)} µs`);
export const fmtMb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
export const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "–");

/**
 * A distribution-free confidence interval for the median: the order statistics
 * whose ranks the binomial(n, ½) distribution puts around the middle with at
 * least `level` coverage. Needs n ≥ 6 for 95%; smaller samples give min–max.
 */
export function medianCI(xs: readonly number[], level = 0.95): { lo: number; hi: number } {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  // Largest k with P(Binomial(n, ½) < k) ≤ (1 − level) / 2: then [s[k−1], s[n−k]] covers the median.
  let cdf = 0;
  let k = 0;
  let term = 0.5 ** n;
  for (let i = 0; i <= n; i++) {
    if (cdf + term > (1 - level) / 2) break;
    cdf += term;
    k = i + 1;
    term = (term * (n - i)) / (i + 1);
  }
  if (k === 0) return { lo: s[0], hi: s[n - 1] };
  return { lo: s[k - 1], hi: s[n - k] };
}

/** "median [lo–hi 95% CI, n]". */
export function withCI(xs: readonly number[], fmt: (x: number) => string): string {
  const ci = medianCI(xs);
  return `${fmt(median(xs))} [${fmt(ci.lo)}–${fmt(ci.hi)}, n=${xs.length}]`;
}
