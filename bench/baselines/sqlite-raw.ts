/**
 * Baseline: raw better-sqlite3 on a migrated copy of the chat database, with the server's
 * pragmas (WAL, synchronous=NORMAL). Measures
 *  - what sendMessage stores, in one transaction: claim the next seq and bump the session's
 *    counters and lastActivityAt (one UPDATE … RETURNING), insert the message; and, for
 *    context, bare autocommit INSERTs;
 *  - the newest page: `SELECT … ORDER BY seq DESC LIMIT 50` in a session of BENCH_HISTORY messages
 *    (what `ChatSession.messages(last: 50)` reads).
 * Each with its rate, latency and CPU time per operation (process.cpuUsage over the window).
 * Prints one line `result {json}`.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { seedSqlite } from '../lib/databases.ts';
import { LatencyRecorder } from '../lib/stats.ts';

const file = process.env.BENCH_SQLITE_FILE!;
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 3000);
const history = Number(process.env.BENCH_HISTORY ?? 100_000);

seedSqlite(file, [
  { id: 'writes', ownerId: 'owner', participantIds: [] },
  { id: 'history', ownerId: 'owner', participantIds: [], messages: history },
]);
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');

/** Runs `op` for the warm-up, then counts calls and their latency over the window. */
function measure(op: () => void): { opsPerSecond: number; p50: number; p99: number; cpuUs: number } {
  const latencies = new LatencyRecorder();
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) op();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const end = start + durationMs;
  let count = 0;
  for (let now = start; now < end; ) {
    op();
    const after = performance.now();
    latencies.record(after - now);
    now = after;
    count += 1;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const { p50, p99 } = latencies.summary();
  return { opsPerSecond: count / (durationMs / 1000), p50, p99, cpuUs: (cpu.user + cpu.system) / count };
}

const stamp = () => new Date().toISOString().replace('Z', '+00:00');
const claim = db.prepare(
  'UPDATE "ChatSession" SET lastSeq = lastSeq + 1, messageCount = messageCount + 1, lastActivityAt = ? WHERE id = ? AND messageCount < ? RETURNING lastSeq',
);
const insert = db.prepare(
  'INSERT INTO "ConversationMessage" (id, sessionId, seq, role, content, metadata, timestamp, authorId, clientMessageId) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
const send = db.transaction(() => {
  const now = stamp();
  const { lastSeq } = claim.get(now, 'writes', 1_000_000_000) as { lastSeq: number };
  insert.run(randomUUID(), 'writes', lastSeq, 'USER', 'hello from the benchmark', null, now, 'owner', null);
});
const sendRate = measure(send);

let plainSeq = 1_000_000_000;
const plainInsert = measure(() => {
  plainSeq += 1;
  insert.run(randomUUID(), 'writes', plainSeq, 'USER', 'hello from the benchmark', null, stamp(), 'owner', null);
});

const page = db.prepare(
  'SELECT id, sessionId, seq, role, content, metadata, timestamp, authorId, editedAt, clientMessageId FROM "ConversationMessage" WHERE sessionId = ? ORDER BY seq DESC LIMIT 50',
);
const expectedRows = Math.min(50, history);
const pageRead = measure(() => {
  const rows = page.all('history');
  if (rows.length !== expectedRows) throw new Error(`page read returned ${rows.length} rows`);
});
db.close();

console.log(`result ${JSON.stringify({ sendRate, plainInsert, pageRead })}`);
