/** RSS per idle connection: the server's resident memory growth per extra open connection. */
import { rssBytes, sleep, waitForIdle } from './processes.ts';

export interface IdleResult {
  rssPerConnection: number;
  /** Connections (handshake + auth + subscribe sent) per second. */
  connectRate: number;
  sockets: { close(): void }[];
}

/**
 * Opens `warm` connections first (they stay open and are not counted: first-use costs such
 * as lazily built caches are paid there), waits for the server to go idle and reads its RSS,
 * opens `count` more, waits again and reads it again.
 */
export async function measureIdleConnections(
  pid: number,
  warm: number,
  count: number,
  open: (from: number, count: number) => Promise<{ sockets: { close(): void }[]; elapsedMs: number }>,
): Promise<IdleResult> {
  const warmed = await open(0, warm);
  await waitForIdle(pid);
  await sleep(500);
  const before = rssBytes(pid);
  const opened = await open(warm, count);
  await waitForIdle(pid);
  await sleep(500);
  const after = rssBytes(pid);
  return {
    rssPerConnection: (after - before) / count,
    connectRate: count / (opened.elapsedMs / 1000),
    sockets: [...warmed.sockets, ...opened.sockets],
  };
}
