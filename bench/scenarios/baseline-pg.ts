/** Baseline: raw `pg` send transaction (bench/baselines/pg-raw.ts) in a child process on the server core. */
import { freshPostgres } from '../lib/databases.ts';
import { spawnNode } from '../lib/processes.ts';
import { type Metrics, plainRow, type Scenario } from '../lib/scenario.ts';

export const baselinePg: Scenario = {
  id: 'B-pg',
  title: 'Baseline: raw pg send transaction (BEGIN; UPDATE … RETURNING; INSERT; COMMIT)',
  baseline: true,
  async run(ctx): Promise<Metrics> {
    if (!ctx.postgres) {
      ctx.log('  B-pg skipped (PostgreSQL unreachable or --no-postgres)');
      return {};
    }
    const database = await freshPostgres();
    const { clients, warmupMs, durationMs } = ctx.params.pg;
    const child = spawnNode(ctx.pinning, ['--import', 'tsx', 'bench/baselines/pg-raw.ts'], {
      BENCH_PG_URL: database.url,
      BENCH_PG_CLIENTS: String(clients),
      BENCH_WARMUP_MS: String(warmupMs),
      BENCH_DURATION_MS: String(durationMs),
    });
    try {
      const line = (await child.waitFor(/result (\{.*\})/, 120_000))[1]!;
      const { sendRate } = JSON.parse(line) as { sendRate: { opsPerSecond: number; p50: number; p99: number; cpuUs: number } };
      return {
        'B-pg.send.rps': sendRate.opsPerSecond,
        'B-pg.send.p50': sendRate.p50,
        'B-pg.send.p99': sendRate.p99,
        'B-pg.send.cpuUs': sendRate.cpuUs,
      };
    } finally {
      await child.stop();
      await database.drop();
    }
  },
  report: (m, params) => [
    plainRow(`send transactions (${params.pg.clients} connections)`, m('B-pg.send.rps'), 'ops/s'),
    plainRow('client CPU per transaction', m('B-pg.send.cpuUs'), 'µs'),
    plainRow('latency p50', m('B-pg.send.p50'), 'ms'),
    plainRow('latency p99', m('B-pg.send.p99'), 'ms'),
  ],
};
