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
