/** Baseline: raw better-sqlite3 send transaction and newest-page read, in a child process on the server core. */
import { freshSqlite } from '../lib/databases.ts';
import { spawnNode } from '../lib/processes.ts';
import { plainRow, type Scenario } from '../lib/scenario.ts';

interface RawRate {
  opsPerSecond: number;
  p50: number;
  p99: number;
  cpuUs: number;
}

interface RawResult {
  sendRate: RawRate;
  plainInsert: RawRate;
  pageRead: RawRate;
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
        'B-sqlite.send.cpuUs': result.sendRate.cpuUs,
        'B-sqlite.insert.rps': result.plainInsert.opsPerSecond,
        'B-sqlite.page.rps': result.pageRead.opsPerSecond,
        'B-sqlite.page.p50': result.pageRead.p50,
        'B-sqlite.page.p99': result.pageRead.p99,
        'B-sqlite.page.cpuUs': result.pageRead.cpuUs,
      };
    } finally {
      await child.stop();
      await database.drop();
    }
  },
  report: (m, params) => [
    plainRow('send transaction (claim seq + bump session + insert)', m('B-sqlite.send.rps'), 'ops/s'),
    plainRow('send transaction: CPU per op', m('B-sqlite.send.cpuUs'), 'µs'),
    plainRow('send transaction p99', m('B-sqlite.send.p99'), 'ms'),
    plainRow('bare autocommit INSERT', m('B-sqlite.insert.rps'), 'ops/s'),
    plainRow(
      `newest 50 of ${params.history.messages.toLocaleString('en-US')} (ORDER BY seq DESC LIMIT 50)`,
      m('B-sqlite.page.rps'),
      'ops/s',
    ),
    plainRow('newest page: CPU per op', m('B-sqlite.page.cpuUs'), 'µs'),
    plainRow('newest page p50', m('B-sqlite.page.p50'), 'ms'),
  ],
};
