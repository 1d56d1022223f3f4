/**
 * S6: two instances behind Redis, on one PostgreSQL database (SQLite file when PostgreSQL is
 * unreachable). Subscribers on instance B (and some on A), messages sent through A; A runs on
 * the server core, B on the load generator's core. The Redis hop is the publish→receive p50 on B minus the same on one instance
 * without Redis; a pattern subscription on the run's channel prefix counts Redis PUBLISHes,
 * which must equal the chat events sent (one per event, never one per subscriber).
 */
import { Redis } from 'ioredis';
import { chatSender, closeAll, subscribeAll } from '../lib/chat-load.ts';
import { startChatServer, UNLIMITED, type ChatServer } from '../lib/chat-server.ts';
import { freshPostgres, freshSqlite, seedDatabase, type FreshDatabase } from '../lib/databases.ts';
import { assertNothingLost, FanoutReceiver, runFanout } from '../lib/fanout.ts';
import { sleep } from '../lib/processes.ts';
import { atMost, exactly, plainRow, ratioRow, targetRow, type BenchContext, type Metrics, type Scenario } from '../lib/scenario.ts';
import { mintToken, mintTokens } from '../lib/tokens.ts';

const SESSION = 'scale-out-session';
/** The owner sends `rate` a second through A; limits are shared through Redis, so they are off. */
const LIMITS = { ...UNLIMITED, CONNECTIONS_PER_USER: 5 };

function fanoutPlan(ctx: BenchContext, send: (channel: number, content: string) => Promise<boolean>, pids: number[]) {
  const { rate, warmupMs, durationMs } = ctx.params.redis;
  return { channels: 1, send, ratePerSecond: rate, warmupMs, durationMs, serverPids: pids };
}

/** PostgreSQL, the database instances share in production, when it answers; else one SQLite file. */
const providerOf = (ctx: BenchContext) => (ctx.postgres ? 'postgresql' : 'sqlite');

/** p50 with every subscriber on one instance using in-memory pub/sub. */
async function singleInstance(ctx: BenchContext, users: string[], tokens: string[], ownerToken: string): Promise<Metrics> {
  const server = await startChatServer({
    pinning: ctx.pinning,
    provider: providerOf(ctx),
    seed: [{ id: SESSION, ownerId: 's6-owner', participantIds: users }],
    limits: LIMITS,
  });
  const sender = chatSender(server.graphqlUrl, [SESSION], [ownerToken]);
  const receiver = new FanoutReceiver(new Array<number>(tokens.length).fill(0));
  let sockets: { close(): void }[] = [];
  try {
    sockets = (await subscribeAll(server.wsUrl, tokens, [SESSION], receiver)).sockets;
    const result = await runFanout(receiver, fanoutPlan(ctx, sender.send, [server.pid]));
    assertNothingLost('single instance', result, receiver, sender.firstError);
    return { 'S6.single.p50': result.p50, 'S6.single.p99': result.p99 };
  } finally {
    closeAll(sockets);
    sender.close();
    await server.stop();
  }
}

/** Instances A and B on one database and one Redis prefix; subscribers on B (group 0) and A (group 1); sends through A. */
async function twoInstances(ctx: BenchContext, users: string[], tokens: string[], ownerToken: string): Promise<Metrics> {
  const { subscribersB } = ctx.params.redis;
  const prefix = `bench:${process.pid}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 7)}:`;
  const env = { REDIS_URL: ctx.redisUrl, REDIS_CHANNEL_PREFIX: prefix };
  const database = providerOf(ctx) === 'postgresql' ? await freshPostgres() : await freshSqlite();
  await seedDatabase(database, [{ id: SESSION, ownerId: 's6-owner', participantIds: users }]);
  const counter = new Redis(ctx.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let publishes = 0;
  counter.on('pmessage', () => (publishes += 1));
  const servers: ChatServer[] = [];
  let sockets: { close(): void }[] = [];
  let sender: ReturnType<typeof chatSender> | undefined;
  try {
    await counter.connect();
    await counter.psubscribe(`${prefix}*`);
    servers.push(await startChatServer({ pinning: ctx.pinning, database, env, limits: LIMITS }));
    // B on the other core (shared with this scenario's light load), so the hop is not B
    // waiting for A's CPU.
    servers.push(await startSecondInstance(ctx, database, env));
    const [a, b] = servers as [ChatServer, ChatServer];
    sender = chatSender(a.graphqlUrl, [SESSION], [ownerToken]);
    const groups = tokens.map((_, i) => (i < subscribersB ? 0 : 1));
    const receiver = new FanoutReceiver(new Array<number>(tokens.length).fill(0), groups);
    const onB = await subscribeAll(b.wsUrl, tokens.slice(0, subscribersB), [SESSION], receiver);
    // Subscribers on A are numbered after B's in the receiver.
    const onA = await subscribeAll(a.wsUrl, tokens.slice(subscribersB), [SESSION], receiver, subscribersB);
    sockets = [...onB.sockets, ...onA.sockets];
    const result = await runFanout(receiver, fanoutPlan(ctx, sender.send, [a.pid, b.pid]));
    assertNothingLost('two instances', result, receiver, sender.firstError);
    await sleep(300);
    const events = receiver.sentAt.length;
    const onBLatency = receiver.groupLatencies[0]!.summary();
    const onALatency = receiver.groupLatencies[1]!.summary();
    return {
      'S6.crossB.p50': onBLatency.p50,
      'S6.crossB.p99': onBLatency.p99,
      'S6.sameA.p50': onALatency.p50,
      'S6.events': events,
      'S6.publishes': publishes,
      'S6.extraPublishes': Math.abs(publishes - events),
      'S6.subscribers': tokens.length,
    };
  } finally {
    closeAll(sockets);
    sender?.close();
    for (const server of servers.reverse()) await server.stop();
    counter.disconnect();
    await database.drop();
  }
}

/**
 * The second instance. On a shared SQLite file its start-up migration check can meet the
 * first instance's lock (SQLITE_BUSY surfaces as a schema-engine error): try a few times.
 */
async function startSecondInstance(ctx: BenchContext, database: FreshDatabase, env: Record<string, string>): Promise<ChatServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startChatServer({ pinning: ctx.pinning, database, env, limits: LIMITS, onLoadCore: true });
    } catch (error) {
      if (attempt >= 3 || database.file === null) throw error;
      ctx.log(`  S6: second instance failed to start on the shared SQLite file (attempt ${attempt}); retrying`);
      await sleep(500);
    }
  }
}

export const s6RedisScaleOut: Scenario = {
  id: 'S6',
  title: 'S6 two instances + Redis: the extra hop and one PUBLISH per event',
  needs: ['B-redis'],
  async run(ctx) {
    const { subscribersA, subscribersB } = ctx.params.redis;
    const users = Array.from({ length: subscribersA + subscribersB }, (_, i) => `s6-user-${i}`);
    const tokens = await mintTokens(users);
    const ownerToken = await mintToken('s6-owner');
    ctx.log(`  S6: single instance, ${subscribersB} subscribers`);
    const single = await singleInstance(ctx, users.slice(0, subscribersB), tokens.slice(0, subscribersB), ownerToken);
    ctx.log(`  S6: A + B through Redis, ${subscribersB} subscribers on B, ${subscribersA} on A`);
    const scaled = await twoInstances(ctx, users, tokens, ownerToken);
    return { ...single, ...scaled, 'S6.hop.p50': scaled['S6.crossB.p50']! - single['S6.single.p50']! };
  },
  report: (m, params) => {
    const { subscribersA, subscribersB, rate } = params.redis;
    return [
      plainRow(`single instance, in-memory: p50 (${subscribersB} subs, ${rate} msg/s)`, m('S6.single.p50'), 'ms'),
      plainRow('single instance, in-memory: p99', m('S6.single.p99'), 'ms'),
      plainRow('sender on A → subscribers on B via Redis: p50', m('S6.crossB.p50'), 'ms'),
      plainRow('sender on A → subscribers on B via Redis: p99', m('S6.crossB.p99'), 'ms'),
      plainRow('sender on A → subscribers on A via Redis: p50', m('S6.sameA.p50'), 'ms'),
      ratioRow('Redis hop (B p50 − single p50)', m('S6.hop.p50'), 'ms', 'ioredis round trip p50', m('B-redis.p50')),
      targetRow('Redis hop p50', m('S6.hop.p50'), 'ms', atMost(1, '≤ 1 ms')),
      // On two cores B shares one with A or with the load generator; on A itself the hop has no such contention.
      plainRow('Redis hop seen on A (A-via-Redis p50 − single p50)', m('S6.sameA.p50') - m('S6.single.p50'), 'ms'),
      plainRow(`chat events sent (${subscribersA + subscribersB} subscribers on A+B)`, m('S6.events'), ''),
      plainRow('Redis PUBLISH seen on the prefix', m('S6.publishes'), ''),
      targetRow('PUBLISH count − events', m('S6.extraPublishes'), '', exactly(0, '0')),
    ];
  },
};
