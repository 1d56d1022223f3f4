/**
 * Closed-loop load: `concurrency` clients, each sending its next request as soon as the
 * previous answer arrived, for a warm-up and then a measured window. Only requests that
 * start and finish inside the window count.
 */
import { KeepAliveConnection, type HttpResponse } from './http-client.ts';
import { cpuMicros } from './processes.ts';
import { LatencyRecorder } from './stats.ts';

export interface ClosedLoopOptions {
  url: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** The request client `index` sends next (its bytes; see jsonPost). */
  nextRequest(index: number): Buffer;
  /** Whether a response is a success; default: status 200 and no `"errors"` in the body. */
  isSuccess?(response: HttpResponse): boolean;
  /** Server process whose CPU time is divided by the completed requests. */
  serverPid?: number;
}

export interface ClosedLoopResult {
  /** Successful requests per second in the measured window. */
  rps: number;
  p50: number;
  p99: number;
  completed: number;
  errors: number;
  /** First failing response body (to explain errors). */
  firstError?: string;
  /** Server CPU time per completed request in the window, µs (NaN without serverPid). */
  cpuPerRequestUs: number;
}

const ERRORS_KEY = Buffer.from('"errors"');
const defaultSuccess = (response: HttpResponse) => response.status === 200 && response.body.indexOf(ERRORS_KEY) < 0;

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { hostname, port } = new URL(options.url);
  const isSuccess = options.isSuccess ?? defaultSuccess;
  const latencies = new LatencyRecorder();
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  let cpuAtStart = NaN;
  let cpuAtEnd = NaN;
  const windowTimers = options.serverPid
    ? [
        setTimeout(() => (cpuAtStart = cpuMicros(options.serverPid!)), windowStart - start),
        setTimeout(() => (cpuAtEnd = cpuMicros(options.serverPid!)), windowEnd - start),
      ]
    : [];

  const worker = async (index: number) => {
    const connection = new KeepAliveConnection(hostname, Number(port));
    try {
      while (performance.now() < windowEnd) {
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
        if (sentAt < windowStart || doneAt > windowEnd) continue;
        if (!ok) {
          errors += 1;
          firstError ??= body;
          continue;
        }
        completed += 1;
        latencies.record(doneAt - sentAt);
      }
    } finally {
      connection.close();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  for (const timer of windowTimers) clearTimeout(timer);
  const { p50, p99 } = latencies.summary();
  const cpuPerRequestUs = completed > 0 ? (cpuAtEnd - cpuAtStart) / completed : NaN;
  return { rps: completed / (options.durationMs / 1000), p50, p99, completed, errors, firstError, cpuPerRequestUs };
}
