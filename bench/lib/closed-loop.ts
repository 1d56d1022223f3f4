/**
 * Closed-loop load: `concurrency` clients, each sending its next request as soon as the
 * previous answer arrived. The load runs through a warm-up that lasts until the server's CPU
 * per request is stable (see WarmupPlan), then a measured window, then optionally an extra
 * window (e.g. a CPU profile, so profiling never slows the measured one). Only requests that
 * start and finish inside the measured window count; a failed request in any phase is counted.
 */
import type { AfterWindow } from './profile-window.ts';
import { KeepAliveConnection, type HttpResponse } from './http-client.ts';
import { cpuMicros, sleep } from './processes.ts';
import { LatencyRecorder } from './stats.ts';

/**
 * Warm-up: at least `minMs`, then until the CPU per request of the last `windows` windows of
 * `windowMs` differs from that of the `windows` before by at most `tolerance` (relative), or
 * `maxMs` has passed. A fresh server needs 20–40 s before its per-request CPU stops falling.
 * `windows: 0` is a fixed warm-up of `minMs`.
 */
export interface WarmupPlan {
  minMs: number;
  maxMs: number;
  windowMs: number;
  windows: number;
  tolerance: number;
}

export interface ClosedLoopOptions {
  url: string;
  concurrency: number;
  warmup: WarmupPlan;
  durationMs: number;
  /** The request client `index` sends next (its bytes; see jsonPost). */
  nextRequest(index: number): Buffer;
  /** Whether a response is a success; default: status 200 and no `"errors"` in the body. */
  isSuccess?(response: HttpResponse): boolean;
  /** Server process whose CPU time is divided by the completed requests. */
  serverPid: number;
  /** Runs after the measured window under the same load (start, then stop after `durationMs`). */
  afterWindow?: AfterWindow;
}

export interface ClosedLoopResult {
  /** Successful requests per second in the measured window. */
  rps: number;
  p50: number;
  p99: number;
  completed: number;
  /** Failed requests in any phase (warm-up, window, after). */
  errors: number;
  /** First failing response body (to explain errors). */
  firstError?: string;
  /** Server CPU time per completed request in the window, µs. */
  cpuPerRequestUs: number;
  /** How long the warm-up ran and whether it ended because the CPU per request was stable. */
  warmupMs: number;
  warmupStable: boolean;
  /** CPU per request (µs) of each warm-up window, for the record. */
  warmupSeries: number[];
  /** Successful responses during `afterWindow`. */
  servedAfter: number;
}

const ERRORS_KEY = Buffer.from('"errors"');
const defaultSuccess = (response: HttpResponse) => response.status === 200 && response.body.indexOf(ERRORS_KEY) < 0;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Whether the last `n` values settled: their mean is within `tolerance` of the `n` before (n = 0: a fixed warm-up). */
export function settled(series: readonly number[], n: number, tolerance: number): boolean {
  if (n === 0) return true;
  if (series.length < 2 * n || series.some((v) => !Number.isFinite(v))) return false;
  const last = mean(series.slice(-n));
  const before = mean(series.slice(-2 * n, -n));
  return Math.abs(last - before) <= tolerance * before;
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { hostname, port } = new URL(options.url);
  const isSuccess = options.isSuccess ?? defaultSuccess;
  const latencies = new LatencyRecorder();
  let phase = 'warmup' as 'warmup' | 'measure' | 'after' | 'done';
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let finished = 0;
  /** Successful responses that arrived inside the window: what the window's CPU time served. */
  let servedInWindow = 0;
  let servedAfter = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;

  const worker = async (index: number) => {
    const connection = new KeepAliveConnection(hostname, Number(port));
    try {
      while (phase !== 'done') {
        const sentAt = performance.now();
        let ok = false;
        let body = '';
        try {
          const response = await connection.request(options.nextRequest(index));
          ok = isSuccess(response);
          if (!ok) body = `${response.status} ${response.body.toString().slice(0, 500)}`;
        } catch (error) {
          body = String(error);
          connection.close();
        }
        const doneAt = performance.now();
        finished += 1;
        if (!ok) {
          errors += 1;
          firstError ??= body;
          continue;
        }
        if (doneAt >= windowStart && doneAt <= windowEnd) servedInWindow += 1;
        else if (phase === 'after') servedAfter += 1;
        if (sentAt < windowStart || doneAt > windowEnd) continue;
        completed += 1;
        latencies.record(doneAt - sentAt);
      }
    } finally {
      connection.close();
    }
  };

  const control = async () => {
    try {
      return await warmUpAndMeasure();
    } finally {
      phase = 'done';
    }
  };
  const warmUpAndMeasure = async () => {
    const plan = options.warmup;
    const start = performance.now();
    const series: number[] = [];
    let warmupStable = false;
    let cpuMark = cpuMicros(options.serverPid);
    let finishedMark = finished;
    while (performance.now() - start < plan.maxMs) {
      await sleep(Math.min(plan.windowMs, plan.maxMs));
      const cpu = cpuMicros(options.serverPid);
      series.push(finished > finishedMark ? (cpu - cpuMark) / (finished - finishedMark) : NaN);
      cpuMark = cpu;
      finishedMark = finished;
      if (performance.now() - start >= plan.minMs && settled(series, plan.windows, plan.tolerance)) {
        warmupStable = true;
        break;
      }
    }
    const warmupMs = performance.now() - start;
    phase = 'measure';
    windowStart = performance.now();
    const cpuAtStart = cpuMicros(options.serverPid);
    await sleep(options.durationMs);
    windowEnd = performance.now();
    const cpuAtEnd = cpuMicros(options.serverPid);
    if (options.afterWindow) {
      await options.afterWindow.start();
      phase = 'after';
      await sleep(options.afterWindow.durationMs);
      phase = 'done';
      await options.afterWindow.stop();
    }
    phase = 'done';
    return { warmupMs, warmupStable, series, cpu: cpuAtEnd - cpuAtStart };
  };

  const [controlled] = await Promise.all([control(), ...Array.from({ length: options.concurrency }, (_, i) => worker(i))]);
  const { p50, p99 } = latencies.summary();
  return {
    rps: completed / ((windowEnd - windowStart) / 1000),
    p50,
    p99,
    completed,
    errors,
    firstError,
    cpuPerRequestUs: servedInWindow > 0 ? controlled.cpu / servedInWindow : NaN,
    warmupMs: controlled.warmupMs,
    warmupStable: controlled.warmupStable,
    warmupSeries: controlled.series,
    servedAfter,
  };
}
