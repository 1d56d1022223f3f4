/**
 * Baseline: raw `pg` on a migrated copy of the chat database (BENCH_PG_URL), what sendMessage
 * stores in one transaction — BEGIN; claim the next seq and bump the session's counters and
 * lastActivityAt (UPDATE … RETURNING); INSERT the message; COMMIT — with BENCH_PG_CLIENTS
 * connections each looping over its own session (as S1's clients do), named (prepared)
 * statements. Reports the rate, latency and this process's CPU time per transaction
 * (process.cpuUsage over the window): the driver's share of a send, not PostgreSQL's.
 * Prints one line `result {json}`.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { LatencyRecorder } from '../lib/stats.ts';

const url = process.env.BENCH_PG_URL!;
const clients = Number(process.env.BENCH_PG_CLIENTS ?? 10);
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 3000);

const CLAIM = {
  name: 'claim',
  text: 'UPDATE "ChatSession" SET "lastSeq" = "lastSeq" + 1, "messageCount" = "messageCount" + 1, "lastActivityAt" = $1 WHERE id = $2 AND "messageCount" < $3 RETURNING "lastSeq"',
};
const INSERT = {
  name: 'insert',
  text: 'INSERT INTO "ConversationMessage" (id, "sessionId", seq, role, content, metadata, timestamp, "authorId", "clientMessageId") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
};

async function send(client: pg.Client, session: string): Promise<void> {
  const now = new Date();
  await client.query('BEGIN');
  try {
    const claimed = await client.query<{ lastSeq: number }>({ ...CLAIM, values: [now, session, 1_000_000_000] });
    const seq = claimed.rows[0]!.lastSeq;
    await client.query({
      ...INSERT,
      values: [randomUUID(), session, seq, 'USER', 'hello from the benchmark', null, now, 'owner', null],
    });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

const connections = await Promise.all(
  Array.from({ length: clients }, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }),
);
await connections[0]!.query(
  `INSERT INTO "ChatSession" (id, title, "ownerId") SELECT 'writes-' || n, 'bench', 'owner' FROM generate_series(0, ${clients - 1}) AS n`,
);

const latencies = new LatencyRecorder();
const start = performance.now();
const windowStart = start + warmupMs;
const windowEnd = windowStart + durationMs;
let count = 0;
let cpuBefore: NodeJS.CpuUsage | undefined;
let cpuAfter: NodeJS.CpuUsage | undefined;
const marks = [
  setTimeout(() => (cpuBefore = process.cpuUsage()), warmupMs),
  setTimeout(() => (cpuAfter = process.cpuUsage(cpuBefore)), warmupMs + durationMs),
];
let served = 0;
await Promise.all(
  connections.map(async (client, i) => {
    while (performance.now() < windowEnd) {
      const sentAt = performance.now();
      await send(client, `writes-${i}`);
      const doneAt = performance.now();
      if (doneAt >= windowStart && doneAt <= windowEnd) served += 1;
      if (sentAt < windowStart || doneAt > windowEnd) continue;
      count += 1;
      latencies.record(doneAt - sentAt);
    }
  }),
);
for (const mark of marks) clearTimeout(mark);
await Promise.all(connections.map((client) => client.end()));
const cpu = cpuAfter ?? process.cpuUsage(cpuBefore);
const { p50, p99 } = latencies.summary();
const sendRate = { opsPerSecond: count / (durationMs / 1000), p50, p99, cpuUs: (cpu.user + cpu.system) / served };
console.log(`result ${JSON.stringify({ sendRate })}`);
