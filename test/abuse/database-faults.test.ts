import { describe, expect, it } from 'vitest';
import { MessageCountDocument } from '../../src/generated/operations.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { errorCode, graphql, type GraphQLResponse } from '../support/graphql-client.ts';
import { closedPort } from '../support/ports.ts';
import { dropDatabase, withPostgresAdmin } from '../support/postgres.ts';
import { startSilentServer } from '../support/silent-server.ts';
import { startTestServer, testedProviders, type TestServer } from '../support/server.ts';

async function countMessages(server: TestServer, sessionId = '00000000-0000-4000-8000-000000000000') {
  const token = await server.token(uniqueUser('u'));
  const started = Date.now();
  const response = await graphql(server.graphqlUrl, MessageCountDocument, { sessionId }, { token });
  return { response, ms: Date.now() - started };
}

/** Waits until PostgreSQL has ended every backend of `database` (so the pool has been told). */
async function waitForNoBackends(database: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await withPostgresAdmin((client) =>
      client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [database]),
    );
    if (rows[0]?.n === 0) return;
    if (Date.now() > deadline) throw new Error(`backends of ${database} still running`);
    // Poll interval: pg_stat_activity is re-read until the deadline.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function expectUnavailable(response: GraphQLResponse<unknown>): void {
  expect(errorCode(response)).toBe('SERVICE_UNAVAILABLE');
  expect(response.errors?.[0]?.extensions).toMatchObject({ retryable: true, correlationId: expect.any(String) });
  expect(JSON.stringify(response.errors)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres|timeout exceeded/i);
}

describe('database unreachable', () => {
  it('answers SERVICE_UNAVAILABLE at once when nothing listens on the PostgreSQL port', async () => {
    const server = await startTestServer('sqlite', { DATABASE_URL: `postgresql://postgres@127.0.0.1:${await closedPort()}/chat` });
    try {
      const { response, ms } = await countMessages(server);
      expectUnavailable(response);
      expect(ms).toBeLessThan(2000);
    } finally {
      await server.stop();
    }
  });

  it('answers SERVICE_UNAVAILABLE within the 3 s connect timeout when the database host hangs', async () => {
    const silent = await startSilentServer();
    const server = await startTestServer('sqlite', { DATABASE_URL: `postgresql://postgres@127.0.0.1:${silent.port}/chat` });
    try {
      const { response, ms } = await countMessages(server);
      expectUnavailable(response);
      expect(ms).toBeGreaterThanOrEqual(2900);
      expect(ms).toBeLessThan(4500);
    } finally {
      await server.stop();
      await silent.close();
    }
  });
});

describe.runIf(testedProviders().includes('postgresql'))('PostgreSQL going away and coming back', () => {
  it('answers SERVICE_UNAVAILABLE once its database is dropped', async () => {
    const server = await startTestServer('postgresql');
    try {
      expect(errorCode((await countMessages(server)).response)).toBe('NOT_FOUND');

      await dropDatabase(new URL(server.env.DATABASE_URL ?? '').pathname.slice(1));
      const { response, ms } = await countMessages(server);
      expectUnavailable(response);
      expect(ms).toBeLessThan(2000);
    } finally {
      await server.stop();
    }
  });

  it('serves again after its connections are terminated', async () => {
    const server = await startTestServer('postgresql');
    try {
      const database = new URL(server.env.DATABASE_URL ?? '').pathname.slice(1);
      expect(errorCode((await countMessages(server)).response)).toBe('NOT_FOUND');
      const terminated = await withPostgresAdmin((client) =>
        client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]),
      );
      expect(terminated.rowCount).toBeGreaterThan(0);
      await waitForNoBackends(database);
      const next = (await countMessages(server)).response;
      expect(errorCode(next)).toBe('NOT_FOUND');
    } finally {
      await server.stop();
    }
  });
});
