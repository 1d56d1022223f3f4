import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer } from '../support/child-server.ts';
import { freshDatabase, startTestServer } from '../support/server.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function childEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const database = await freshDatabase('sqlite');
  cleanups.push(database.drop);
  return { DATABASE_URL: database.url, DATA_DIR: database.dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info', ...extra };
}

interface HeldRequest {
  /** Sends the rest of the body; the response follows. */
  finish(): void;
  response: Promise<{ status: number; body: string }>;
  request: ClientRequest;
}

/**
 * A request the server has received but cannot answer yet: its headers ask for
 * `100 Continue`, and its body is held back until finish(). Resolves once the server
 * has the request (it answered 100).
 */
async function holdRequest(graphqlUrl: string, token: string): Promise<HeldRequest> {
  const body = JSON.stringify({ query: 'mutation { createSession(input: { title: "in flight" }) { title } }' });
  const req = request(graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      authorization: `Bearer ${token}`,
      expect: '100-continue',
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  response.catch(() => {});
  await new Promise<void>((resolve, reject) => {
    req.once('continue', resolve);
    req.once('error', reject);
    req.flushHeaders();
  });
  return { finish: () => req.end(body), response, request: req };
}

describe('graceful shutdown of the process (SIGTERM)', () => {
  it('stops accepting, finishes the request in flight, then exits 0', async () => {
    const server = await startChildServer(await childEnv());
    cleanups.push(async () => void (await server.stop('SIGKILL')));
    const held = await holdRequest(server.graphqlUrl, await mintToken('alice'));

    const started = Date.now();
    server.child.kill('SIGTERM');
    await server.waitForLog(/"shutting down"/);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    held.finish();
    expect(await held.response).toMatchObject({ status: 200, body: JSON.stringify({ data: { createSession: { title: 'in flight' } } }) });
    expect(await server.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up on a request still running after SHUTDOWN_TIMEOUT_MS and still exits 0', async () => {
    const server = await startChildServer(await childEnv({ SHUTDOWN_TIMEOUT_MS: '500' }));
    cleanups.push(async () => void (await server.stop('SIGKILL')));
    const held = await holdRequest(server.graphqlUrl, await mintToken('alice'));

    const started = Date.now();
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(4000);
    await expect(held.response).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(server.stderr).toMatch(/shutdown timeout: closing connections with requests in flight/);
  });
});

describe('App.stop()', () => {
  it('runs the shutdown hooks, refuses new connections while draining, and is idempotent', async () => {
    const server = await startTestServer('sqlite');
    const token = await server.token('alice');
    const held = await holdRequest(server.graphqlUrl, token);
    let hookRan = false;
    server.app.onShutdown(async () => {
      hookRan = true;
    });

    const stopping = server.app.stop();
    expect(server.app.stop()).toBe(stopping);
    expect(hookRan).toBe(true);
    await expect(fetch(`${server.url}/readyz`)).rejects.toThrow();
    held.finish();
    expect((await held.response).status).toBe(200);
    await stopping;
    await server.stop();
  });
});
