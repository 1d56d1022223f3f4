/** Latency samples and the few statistics the suite reports (percentiles, medians). */

/** Collects latency samples (ms) up to a cap; beyond it every later sample replaces a random one. */
export class LatencyRecorder {
  private samples: Float64Array;
  private size = 0;
  private seen = 0;

  constructor(private readonly cap = 2_000_000) {
    this.samples = new Float64Array(Math.min(cap, 65_536));
  }

  record(ms: number): void {
    this.seen += 1;
    if (this.size < this.cap) {
      if (this.size === this.samples.length) {
        const grown = new Float64Array(Math.min(this.cap, this.samples.length * 2));
        grown.set(this.samples);
        this.samples = grown;
      }
      this.samples[this.size++] = ms;
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.cap) this.samples[slot] = ms;
  }

  /** Samples recorded (including those beyond the cap). */
  get count(): number {
    return this.seen;
  }

  reset(): void {
    this.size = 0;
    this.seen = 0;
  }

  /** p in [0, 100]; NaN when there are no samples. */
  percentile(p: number): number {
    return percentileOfSorted(this.sorted(), p);
  }

  /** p50, p99 and max in one sort. */
  summary(): { p50: number; p99: number; max: number } {
    const sorted = this.sorted();
    return {
      p50: percentileOfSorted(sorted, 50),
      p99: percentileOfSorted(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    };
  }

  private sorted(): Float64Array {
    return this.samples.slice(0, this.size).sort();
  }
}

/** Nearest-rank percentile of ascending values. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}
