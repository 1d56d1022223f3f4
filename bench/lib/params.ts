/** Sizes and durations of every scenario, per mode: full (default), --quick, and --tiny (the smoke test). */
import type { WarmupPlan } from './closed-loop.ts';

export interface FanoutSize {
  subscribers: number;
  /** Messages per second sent through the mutation. */
  rate: number;
}

export interface Params {
  mode: 'full' | 'quick' | 'tiny';
  repeats: number;
  /** Closed-loop HTTP scenarios (S1, and the node:http hello world). */
  closedLoop: { concurrency: number; warmup: WarmupPlan; durationMs: number };
  /** B-http's warm-up (a hello world settles in a few seconds). */
  helloWarmup: WarmupPlan;
  /** S3's closed loop (same concurrency and window as closedLoop). */
  historyWarmup: WarmupPlan;
  /** Raw SQLite baseline windows (in-process loops). */
  sqlite: { warmupMs: number; durationMs: number };
  /** Raw pg baseline: `clients` connections each running the transaction in a loop. */
  pg: { clients: number; warmupMs: number; durationMs: number };
  /** S2 and the raw ws broadcast baseline. */
  fanout: { sizes: FanoutSize[]; warmupMs: number; durationMs: number };
  /** S2b. */
  manySessions: { sessions: number; members: number; rate: number; warmupMs: number; durationMs: number };
  /** S3 (and the raw page read). */
  history: { messages: number };
  /** S4. */
  typing: { clients: number; sessions: number; hz: number; warmupMs: number; durationMs: number };
  /** S5 and the raw ws idle baseline: RSS slope from `from` to `to` connections in `steps` batches. */
  idle: { from: number; to: number; steps: number };
  /** S6 and the Redis round-trip baseline. */
  redis: { subscribersB: number; subscribersA: number; rate: number; warmupMs: number; durationMs: number; roundTrips: number };
  /** `--profile`: length of the CPU profile taken after S1's and S2's measured windows. */
  profileMs: number;
}

const full: Params = {
  mode: 'full',
  repeats: 3,
  closedLoop: {
    concurrency: 50,
    warmup: { minMs: 15_000, maxMs: 45_000, windowMs: 2000, windows: 3, tolerance: 0.05 },
    durationMs: 8000,
  },
  helloWarmup: { minMs: 3000, maxMs: 10_000, windowMs: 1000, windows: 2, tolerance: 0.05 },
  historyWarmup: { minMs: 8000, maxMs: 25_000, windowMs: 2000, windows: 2, tolerance: 0.05 },
  sqlite: { warmupMs: 1000, durationMs: 3000 },
  pg: { clients: 10, warmupMs: 1000, durationMs: 4000 },
  fanout: {
    sizes: [
      { subscribers: 1000, rate: 10 },
      { subscribers: 5000, rate: 10 },
    ],
    warmupMs: 3000,
    durationMs: 10_000,
  },
  manySessions: { sessions: 1000, members: 10, rate: 200, warmupMs: 2000, durationMs: 6000 },
  history: { messages: 100_000 },
  typing: { clients: 1000, sessions: 100, hz: 2, warmupMs: 2000, durationMs: 6000 },
  idle: { from: 1000, to: 3000, steps: 4 },
  redis: { subscribersB: 100, subscribersA: 50, rate: 20, warmupMs: 1000, durationMs: 5000, roundTrips: 2000 },
  profileMs: 6000,
};

const quick: Params = {
  mode: 'quick',
  repeats: 1,
  closedLoop: {
    concurrency: 50,
    warmup: { minMs: 8000, maxMs: 25_000, windowMs: 1500, windows: 3, tolerance: 0.08 },
    durationMs: 4000,
  },
  helloWarmup: { minMs: 2000, maxMs: 6000, windowMs: 1000, windows: 2, tolerance: 0.08 },
  historyWarmup: { minMs: 4000, maxMs: 12_000, windowMs: 1500, windows: 2, tolerance: 0.08 },
  sqlite: { warmupMs: 500, durationMs: 1500 },
  pg: { clients: 10, warmupMs: 500, durationMs: 2000 },
  fanout: {
    sizes: [
      { subscribers: 1000, rate: 10 },
      { subscribers: 5000, rate: 10 },
    ],
    warmupMs: 1500,
    durationMs: 4000,
  },
  manySessions: { sessions: 200, members: 10, rate: 100, warmupMs: 1000, durationMs: 3000 },
  history: { messages: 100_000 },
  typing: { clients: 200, sessions: 20, hz: 2, warmupMs: 1000, durationMs: 3000 },
  idle: { from: 1000, to: 3000, steps: 4 },
  redis: { subscribersB: 50, subscribersA: 20, rate: 20, warmupMs: 500, durationMs: 2500, roundTrips: 500 },
  profileMs: 4000,
};

/** The smoke test's sizes: every code path once, no meaningful numbers. */
const tinyWarmup: WarmupPlan = { minMs: 500, maxMs: 500, windowMs: 250, windows: 0, tolerance: 0 };
const tiny: Params = {
  mode: 'tiny',
  repeats: 1,
  // Long enough that a loaded CI machine still completes requests inside the window.
  closedLoop: { concurrency: 5, warmup: tinyWarmup, durationMs: 2000 },
  helloWarmup: tinyWarmup,
  historyWarmup: tinyWarmup,
  sqlite: { warmupMs: 50, durationMs: 200 },
  pg: { clients: 2, warmupMs: 50, durationMs: 300 },
  fanout: { sizes: [{ subscribers: 10, rate: 10 }], warmupMs: 200, durationMs: 600 },
  manySessions: { sessions: 5, members: 3, rate: 10, warmupMs: 200, durationMs: 600 },
  history: { messages: 300 },
  typing: { clients: 12, sessions: 3, hz: 2, warmupMs: 600, durationMs: 1000 },
  idle: { from: 10, to: 30, steps: 2 },
  redis: { subscribersB: 5, subscribersA: 3, rate: 10, warmupMs: 200, durationMs: 600, roundTrips: 50 },
  profileMs: 1000,
};

export function paramsFor(mode: Params['mode']): Params {
  return structuredClone(mode === 'quick' ? quick : mode === 'tiny' ? tiny : full);
}
