/** The p-th percentile (0–100) of numbers, nearest-rank; NaN for none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank]!;
}

export const median = (values: number[]): number => percentile(values, 50);

/** Rounds to `digits` decimals (figures in result files stay readable). */
export const round = (x: number, digits = 2): number =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

/** Latencies in milliseconds collected into a fixed buffer (bounded memory however long the run). */
export class LatencyRecorder {
  private readonly buf: Float64Array;
  private n = 0;
  /** Samples seen, including those past the buffer (only the first `capacity` are kept). */
  count = 0;
  constructor(capacity = 2_000_000) {
    this.buf = new Float64Array(capacity);
  }
  add(ms: number): void {
    this.count++;
    if (this.n < this.buf.length) this.buf[this.n++] = ms;
  }
  values(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
  summary() {
    const v = this.values();
    return {
      count: this.count,
      p50: round(percentile(v, 50)),
      p90: round(percentile(v, 90)),
      p99: round(percentile(v, 99)),
      p999: round(percentile(v, 99.9)),
      max: round(v.length ? v.reduce((a, b) => Math.max(a, b), 0) : NaN),
    };
  }
}
