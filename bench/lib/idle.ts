/**
 * RSS per idle connection: the slope of the server's resident memory over the connections
 * held open, each reading taken after a forced full GC (the server runs under
 * bench/lib/gc-entry.mjs) once the process is idle.
 */
import { rssBytes, type SpawnedProcess, sleep, waitForIdle } from './processes.ts';

export interface IdleResult {
  /** RSS with no connection open (after start-up and a forced GC), bytes. */
  idleRss: number;
  /** Least-squares slope of RSS over connections open, from `from` to `to`, bytes per connection. */
  rssPerConnection: number;
  /** Connections (handshake + auth + subscribe sent) per second. */
  connectRate: number;
  /** The readings: connections open → RSS bytes. */
  points: { x: number; y: number }[];
  sockets: { close(): void }[];
}

/** RSS after a forced GC, once the process has finished what it was handed. */
export async function rssAfterGc(server: SpawnedProcess): Promise<number> {
  await waitForIdle(server.pid);
  await server.ask({ type: 'gc' }, 'gc-done');
  await sleep(200);
  await waitForIdle(server.pid);
  return rssBytes(server.pid);
}

/**
 * Reads the RSS with no connection, opens `from` connections (first-use costs such as lazily
 * built caches are paid before the first point), reads again, then opens the rest up to `to`
 * in `steps` equal batches with a reading after each. The slope over the points from `from`
 * to `to` is the cost per connection.
 */
export async function measureIdleConnections(
  server: SpawnedProcess,
  range: { from: number; to: number; steps: number },
  open: (from: number, count: number) => Promise<{ sockets: { close(): void }[]; elapsedMs: number }>,
): Promise<IdleResult> {
  const idleRss = await rssAfterGc(server);
  const first = await open(0, range.from);
  const sockets = [...first.sockets];
  let elapsedMs = first.elapsedMs;
  let opened = range.from;
  const points = [{ x: opened, y: await rssAfterGc(server) }];
  for (let step = 1; step <= range.steps; step++) {
    const batch = range.from + Math.round(((range.to - range.from) * step) / range.steps) - opened;
    const result = await open(opened, batch);
    sockets.push(...result.sockets);
    elapsedMs += result.elapsedMs;
    opened += batch;
    points.push({ x: opened, y: await rssAfterGc(server) });
  }
  return { idleRss, rssPerConnection: slope(points), connectRate: opened / (elapsedMs / 1000), points, sockets };
}

export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}
