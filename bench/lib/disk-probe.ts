/**
 * How long this machine's disk takes to make a small write durable: 16 KiB written and
 * fsynced 50 times in a file under the OS temporary folder, the latency of each. Recorded
 * before and after a run beside the load average: a host whose disk syncs slowly that
 * minute is visible in the record even though the benchmark's databases do not wait for it.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LatencyRecorder } from './stats.ts';

export interface FsyncLatency {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function probeFsync(rounds = 50): FsyncLatency {
  const dir = mkdtempSync(join(tmpdir(), 'chat-bench-fsync-'));
  const block = Buffer.alloc(16 * 1024, 7);
  const latencies = new LatencyRecorder(rounds);
  const fd = openSync(join(dir, 'probe'), 'w');
  try {
    for (let i = 0; i < rounds; i++) {
      const start = process.hrtime.bigint();
      writeSync(fd, block, 0, block.length, i * block.length);
      fsyncSync(fd);
      latencies.record(Number(process.hrtime.bigint() - start) / 1e6);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  const { p50, p99, max } = latencies.summary();
  const ms = (value: number) => Math.round(value * 100) / 100;
  return { p50Ms: ms(p50), p99Ms: ms(p99), maxMs: ms(max) };
}
