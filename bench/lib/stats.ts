// Pure statistics for the benchmark runner: medians and spreads over rounds, ratios, and the
// human form of large numbers. No I/O here, so it is unit-tested on its own.

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Smallest and largest finite value; NaN for both when there is none. */
export function spread(values: readonly number[]): { min: number; max: number } {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { min: Number.NaN, max: Number.NaN };
  return { min: Math.min(...v), max: Math.max(...v) };
}

/** Median, min and max of a series of rounds. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Summarise the finite values of one measurement across rounds. */
export function summarize(values: readonly number[]): Summary {
  const { min, max } = spread(values);
  return { median: median(values), min, max, n: values.filter((x) => Number.isFinite(x)).length };
}

/** `value / baseline`, or NaN when either is missing or the baseline is zero. */
export function ratio(value: number, baseline: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
  return value / baseline;
}

/** 1234 -> "1.23k", 4_760_000 -> "4.76M"; three significant digits; "—" for NaN. */
export function human(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const [div, suffix] = abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : [1, ''];
  const x = value / div;
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return `${x.toFixed(suffix === '' && Number.isInteger(x) ? 0 : digits)}${suffix}`;
}

/** A ratio as "0.97×"; "—" for NaN. */
export function formatRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '—';
}

/** A percentage with no decimals ("87%"); "—" for NaN. */
export function formatPct(p: number): string {
  return Number.isFinite(p) ? `${p.toFixed(0)}%` : '—';
}
