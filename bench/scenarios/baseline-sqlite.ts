/** Baseline: raw better-sqlite3 insert rate and page read, in a child process on the server core. */
import { freshSqlite } from '../lib/databases.ts';
import { spawnNode } from '../lib/processes.ts';
import { plainRow, type Scenario } from '../lib/scenario.ts';

interface RawResult {
  sendRate: { opsPerSecond: number; p50: number; p99: number };
  plainInsert: { opsPerSecond: number; p50: number; p99: number };
  pageRead: { opsPerSecond: number; p50: number; p99: number };
}

export const baselineSqlite: Scenario = {
  id: 'B-sqlite',
  title: 'Baseline: raw better-sqlite3 (WAL, synchronous=NORMAL)',
  baseline: true,
  async run(ctx) {
    const database = await freshSqlite();
    const child = spawnNode(ctx.pinning, ['--import', 'tsx', 'bench/baselines/sqlite-raw.ts'], {
      BENCH_SQLITE_FILE: database.file!,
      BENCH_WARMUP_MS: String(ctx.params.sqlite.warmupMs),
      BENCH_DURATION_MS: String(ctx.params.sqlite.durationMs),
      BENCH_HISTORY: String(ctx.params.history.messages),
    });
    try {
      const line = (await child.waitFor(/result (\{.*\})/, 120_000))[1]!;
      const result = JSON.parse(line) as RawResult;
      return {
        'B-sqlite.send.rps': result.sendRate.opsPerSecond,
        'B-sqlite.send.p99': result.sendRate.p99,
        'B-sqlite.insert.rps': result.plainInsert.opsPerSecond,
        'B-sqlite.page.rps': result.pageRead.opsPerSecond,
        'B-sqlite.page.p50': result.pageRead.p50,
        'B-sqlite.page.p99': result.pageRead.p99,
      };
    } finally {
      await child.stop();
      await database.drop();
    }
  },
  report: (m) => [
    plainRow('message insert (claim seq + insert, 1 txn)', m('B-sqlite.send.rps'), 'ops/s'),
    plainRow('message insert p99', m('B-sqlite.send.p99'), 'ms'),
    plainRow('bare autocommit INSERT', m('B-sqlite.insert.rps'), 'ops/s'),
    plainRow('page read (50 before a random seq)', m('B-sqlite.page.rps'), 'ops/s'),
    plainRow('page read p50', m('B-sqlite.page.p50'), 'ms'),
    plainRow('page read p99', m('B-sqlite.page.p99'), 'ms'),
  ],
};
