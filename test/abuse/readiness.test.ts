import { describe, expect, it } from 'vitest';
import { closedPort } from '../support/ports.ts';
import { redisTestsEnabled, redisUrl } from '../support/redis.ts';
import { startSilentServer } from '../support/silent-server.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const hasRedis = await redisTestsEnabled();

async function probe(server: TestServer, path: string): Promise<{ status: number; body: unknown; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.json(), ms: Date.now() - started };
}

async function withServer(env: Record<string, string>, work: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer('sqlite', env);
  try {
    await work(server);
  } finally {
    await server.stop();
  }
}

describe('/healthz and /readyz', () => {
  it('reports live and ready with the database reachable', async () => {
    await withServer({}, async (server) => {
      expect(await probe(server, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await probe(server, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: 'ok' } } });
      expect((await probe(server, '/readyz?verbose=1')).status).toBe(200);
    });
  });

  it.runIf(hasRedis)('pings Redis too when REDIS_URL is set', async () => {
    await withServer({ REDIS_URL: redisUrl }, async (server) => {
      expect(await probe(server, '/readyz')).toMatchObject({
        status: 200,
        body: { status: 'ready', checks: { database: 'ok', redis: 'ok' } },
      });
    });
  });

  it('answers 503 naming Redis when Redis is unreachable, while staying live', async () => {
    await withServer({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }, async (server) => {
      expect(await probe(server, '/readyz')).toMatchObject({
        status: 503,
        body: { status: 'unavailable', checks: { database: 'ok', redis: 'failed' } },
      });
      expect((await probe(server, '/healthz')).status).toBe(200);
    });
  });

  it('answers 503 naming the database when it is unreachable, and within 2 s when it hangs', async () => {
    await withServer({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${await closedPort()}/chat` }, async (server) => {
      expect(await probe(server, '/readyz')).toMatchObject({
        status: 503,
        body: { status: 'unavailable', checks: { database: 'failed' } },
      });
    });
    const silent = await startSilentServer();
    try {
      await withServer({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${silent.port}/chat` }, async (server) => {
        const hung = await probe(server, '/readyz');
        expect(hung).toMatchObject({ status: 503, body: { checks: { database: 'timeout' } } });
        expect(hung.ms).toBeLessThan(2500);
      });
    } finally {
      await silent.close();
    }
  });
});
