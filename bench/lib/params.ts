/** Sizes and durations of every scenario, per mode: full (default), --quick, and --tiny (the smoke test). */

export interface FanoutSize {
  subscribers: number;
  /** Messages per second sent through the mutation. */
  rate: number;
}

export interface Params {
  mode: 'full' | 'quick' | 'tiny';
  repeats: number;
  /** Closed-loop HTTP scenarios (baseline http, S1, S3). */
  closedLoop: { concurrency: number; warmupMs: number; durationMs: number };
  /** Raw SQLite baseline windows. */
  sqlite: { warmupMs: number; durationMs: number };
  /** S2 and the raw ws broadcast baseline. */
  fanout: { sizes: FanoutSize[]; warmupMs: number; durationMs: number };
  /** S2b. */
  manySessions: { sessions: number; members: number; rate: number; warmupMs: number; durationMs: number };
  /** S3 (and the raw page read). */
  history: { messages: number };
  /** S4. */
  typing: { clients: number; sessions: number; hz: number; warmupMs: number; durationMs: number };
  /** S5 and the raw ws idle baseline. */
  idle: { connections: number };
  /** S6 and the Redis round-trip baseline. */
  redis: { subscribersB: number; subscribersA: number; rate: number; warmupMs: number; durationMs: number; roundTrips: number };
}

const full: Params = {
  mode: 'full',
  repeats: 3,
  closedLoop: { concurrency: 50, warmupMs: 2000, durationMs: 5000 },
  sqlite: { warmupMs: 500, durationMs: 2000 },
  fanout: {
    sizes: [
      { subscribers: 100, rate: 20 },
      { subscribers: 1000, rate: 10 },
      { subscribers: 10_000, rate: 2 },
    ],
    warmupMs: 2000,
    durationMs: 8000,
  },
  manySessions: { sessions: 1000, members: 10, rate: 200, warmupMs: 2000, durationMs: 8000 },
  history: { messages: 100_000 },
  typing: { clients: 1000, sessions: 100, hz: 2, warmupMs: 2000, durationMs: 6000 },
  idle: { connections: 10_000 },
  redis: { subscribersB: 100, subscribersA: 50, rate: 20, warmupMs: 1000, durationMs: 5000, roundTrips: 2000 },
};

const quick: Params = {
  mode: 'quick',
  repeats: 1,
  closedLoop: { concurrency: 50, warmupMs: 1000, durationMs: 2500 },
  sqlite: { warmupMs: 300, durationMs: 1000 },
  fanout: {
    sizes: [
      { subscribers: 100, rate: 20 },
      { subscribers: 1000, rate: 10 },
    ],
    warmupMs: 1000,
    durationMs: 3000,
  },
  manySessions: { sessions: 200, members: 10, rate: 100, warmupMs: 1000, durationMs: 3000 },
  history: { messages: 20_000 },
  typing: { clients: 200, sessions: 20, hz: 2, warmupMs: 1000, durationMs: 3000 },
  idle: { connections: 2000 },
  redis: { subscribersB: 50, subscribersA: 20, rate: 20, warmupMs: 500, durationMs: 2500, roundTrips: 500 },
};

const tiny: Params = {
  mode: 'tiny',
  repeats: 1,
  // Long enough that a loaded CI machine still completes requests inside the window.
  closedLoop: { concurrency: 5, warmupMs: 500, durationMs: 2500 },
  sqlite: { warmupMs: 50, durationMs: 200 },
  fanout: { sizes: [{ subscribers: 10, rate: 10 }], warmupMs: 200, durationMs: 600 },
  manySessions: { sessions: 5, members: 3, rate: 10, warmupMs: 200, durationMs: 600 },
  history: { messages: 300 },
  typing: { clients: 12, sessions: 3, hz: 2, warmupMs: 600, durationMs: 1000 },
  idle: { connections: 30 },
  redis: { subscribersB: 5, subscribersA: 3, rate: 10, warmupMs: 200, durationMs: 600, roundTrips: 50 },
};

export function paramsFor(mode: Params['mode']): Params {
  return structuredClone(mode === 'quick' ? quick : mode === 'tiny' ? tiny : full);
}
