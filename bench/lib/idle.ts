/** RSS per idle connection: the server's resident memory growth per extra open connection. */
import { rssBytes, sleep, waitForIdle } from './processes.ts';

export interface IdleResult {
  /** Least-squares slope of RSS over connections opened, bytes per connection. */
  rssPerConnection: number;
  /** Connections (handshake + auth + subscribe sent) per second. */
  connectRate: number;
  sockets: { close(): void }[];
}

async function settledRss(pid: number): Promise<number> {
  await waitForIdle(pid);
  await sleep(300);
  return rssBytes(pid);
}

/**
 * Opens `warm` connections first (they stay open and are not counted: first-use costs such
 * as lazily built caches are paid there), then `count` more in `steps` equal batches, reading
 * the server's RSS once it is idle after each. The slope over the batches is the cost per
 * connection; a garbage collection that returns memory mid-way moves one point, not the answer.
 */
export async function measureIdleConnections(
  pid: number,
  warm: number,
  count: number,
  open: (from: number, count: number) => Promise<{ sockets: { close(): void }[]; elapsedMs: number }>,
  steps = 4,
): Promise<IdleResult> {
  const sockets = [...(await open(0, warm)).sockets];
  const points: { x: number; y: number }[] = [{ x: 0, y: await settledRss(pid) }];
  let elapsedMs = 0;
  let opened = 0;
  for (let step = 1; step <= steps; step++) {
    const batch = Math.round((count * step) / steps) - opened;
    const result = await open(warm + opened, batch);
    sockets.push(...result.sockets);
    elapsedMs += result.elapsedMs;
    opened += batch;
    points.push({ x: opened, y: await settledRss(pid) });
  }
  return { rssPerConnection: slope(points), connectRate: count / (elapsedMs / 1000), sockets };
}

function slope(points: { x: number; y: number }[]): number {
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
