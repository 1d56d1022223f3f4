import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { createMemoryRateLimiter } from '../../src/limits/memory-rate-limiter.ts';
import { createRedisRateLimiter } from '../../src/limits/redis-rate-limiter.ts';
import { createRedisClient, closeRedisClient, waitForRedis } from '../../src/redis/redis-client.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { dataOf, errorCode, graphql } from '../support/graphql-client.ts';
import { captureLogs } from '../support/log-capture.ts';
import { closedPort } from '../support/ports.ts';
import { cleanPrefix, redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSilentServer, type SilentServer } from '../support/silent-server.ts';

const hasRedis = await redisTestsEnabled();

async function createSession(server: TestServer, owner: string): Promise<string> {
  const token = await server.token(owner);
  return dataOf(await graphql(server.graphqlUrl, CreateSessionDocument, { input: { title: 'limits' } }, { token })).createSession.id;
}

async function send(server: TestServer, userId: string, sessionId: string, content: string) {
  return graphql(server.graphqlUrl, SendMessageDocument, { sessionId, input: { content } }, { token: await server.token(userId) });
}

describe.runIf(hasRedis)('message rate limit shared through Redis', () => {
  const prefix = uniquePrefix();
  const servers: TestServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await cleanPrefix(prefix);
  });

  it('shares one budget between two instances: 60 sends in all, the 61st refused on either', async () => {
    const env = { REDIS_URL: redisUrl, RATE_LIMIT_REDIS_PREFIX: prefix };
    const first = await startTestServer('sqlite', env);
    servers.push(first);
    // The second instance serves the same database, as instances behind a load balancer do.
    const second = await startTestServer('sqlite', { ...env, DATABASE_URL: first.env.DATABASE_URL ?? '' });
    servers.push(second);
    const alice = uniqueUser('alice');
    const sessionId = await createSession(first, alice);

    for (let i = 0; i < 60; i++) {
      const response = await send(i % 2 === 0 ? first : second, alice, sessionId, `m${i}`);
      expect(dataOf(response).sendMessage.seq).toBe(i + 1);
    }
    for (const server of [first, second]) {
      const refused = await send(server, alice, sessionId, 'one too many');
      expect(errorCode(refused)).toBe('RATE_LIMITED');
      expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    const bob = uniqueUser('bob');
    expect(dataOf(await send(second, bob, await createSession(second, bob), 'bob has his own budget')).sendMessage.seq).toBe(1);
    expect(await countKeys(prefix)).toBeGreaterThan(0);
  });

  it('frees budget as actions leave the rolling window', async () => {
    const redis = createRedisClient(redisUrl, { commandTimeoutMs: 1000, logger: captureLogs() });
    await waitForRedis(redis, 2000);
    const limiter = createRedisRateLimiter({
      redis,
      name: 'window-test',
      limit: 2,
      windowMs: 300,
      keyPrefix: prefix,
      fallback: createMemoryRateLimiter({ limit: 2, windowMs: 300 }),
      logger: captureLogs(),
    });
    try {
      expect((await limiter.consume('u')).allowed).toBe(true);
      expect(await limiter.consume('u')).toMatchObject({ allowed: true, remaining: 0 });
      const refused = await limiter.consume('u');
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(300);
      // Deliberate: the 300 ms window itself must pass (real time is what is under test).
      await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs + 20));
      expect((await limiter.consume('u')).allowed).toBe(true);
      // Keys expire by themselves once idle for a window.
      expect(await redis.pttl(`${prefix}window-test:u`)).toBeLessThanOrEqual(300);
    } finally {
      await closeRedisClient(redis);
    }
  });
});

describe('message rate limit while Redis is unreachable', () => {
  it('falls back to a per-instance limit and logs a warning, so chat keeps working', async () => {
    const logs = captureLogs();
    const port = await closedPort();
    const server = await startTestServer('sqlite', { REDIS_URL: `redis://127.0.0.1:${port}` }, { logger: logs });
    try {
      const alice = uniqueUser('alice');
      const sessionId = await createSession(server, alice);
      const started = Date.now();
      for (let i = 0; i < 60; i++) expect(dataOf(await send(server, alice, sessionId, `m${i}`)).sendMessage.seq).toBe(i + 1);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(errorCode(await send(server, alice, sessionId, 'one too many'))).toBe('RATE_LIMITED');
      const warnings = logs.entries.filter((entry) => entry.level === 'warn').map((entry) => entry.message);
      expect(warnings).toContain('rate limit falls back to this instance: Redis did not answer');
      // One warning per outage, not one per send.
      expect(warnings.filter((message) => message.startsWith('rate limit falls back')).length).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

describe('message rate limit while Redis hangs', () => {
  it('waits at most REDIS_COMMAND_TIMEOUT_MS for Redis, then counts in this instance', async () => {
    const silent = await startSilentRedis();
    const logs = captureLogs();
    const server = await startTestServer(
      'sqlite',
      { REDIS_URL: `redis://127.0.0.1:${silent.port}`, REDIS_COMMAND_TIMEOUT_MS: '200', MESSAGES_PER_MINUTE: '2' },
      { logger: logs },
    );
    try {
      const alice = uniqueUser('alice');
      const sessionId = await createSession(server, alice);
      for (const content of ['one', 'two']) {
        const started = Date.now();
        expect(dataOf(await send(server, alice, sessionId, content)).sendMessage.content).toBe(content);
        expect(Date.now() - started).toBeLessThan(1500);
      }
      expect(errorCode(await send(server, alice, sessionId, 'three'))).toBe('RATE_LIMITED');
      expect(silent.commands.some((command) => /evalsha|eval/i.test(command))).toBe(true);
      expect(logs.entries.find((entry) => entry.message.startsWith('rate limit falls back'))?.fields?.error).toMatch(/timed out/i);
    } finally {
      await server.stop();
      await silent.close();
    }
  });
});

/** A "Redis" that answers the connection's handshake and readiness check, then never answers a command. */
async function startSilentRedis(): Promise<SilentServer & { commands: string[] }> {
  const commands: string[] = [];
  const server = await startSilentServer((chunk, socket) => {
    // Each RESP command is an array ("*<count>\r\n…"); answer the handshake in order.
    for (const command of chunk.toString('latin1').split(/(?=\*\d+\r\n\$)/)) {
      commands.push(command);
      if (/^\*\d+\r\n\$6\r\nclient\r\n/i.test(command)) socket.write('+OK\r\n');
      else if (/^\*1\r\n\$4\r\ninfo\r\n/i.test(command)) socket.write('$9\r\nloading:0\r\n');
    }
  });
  return { ...server, commands };
}

async function countKeys(prefix: string): Promise<number> {
  const client = new Redis(redisUrl);
  try {
    return (await client.keys(`${prefix}*`)).length;
  } finally {
    client.disconnect();
  }
}
