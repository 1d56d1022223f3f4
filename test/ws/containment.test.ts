/**
 * An unexpected error while handling a frame closes that one socket with 4500 and is
 * logged with its stack; it never reaches the process, and other sockets carry on.
 * The fault is injected through a dependency, as a bug in any of them would surface.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { loadConfig } from '../../src/config.ts';
import { attachGraphQLWs, type GraphQLWsDeps, type GraphQLWsServer } from '../../src/ws/server.ts';
import { captureLogs } from '../support/log-capture.ts';
import { openRawSocket } from '../support/raw-ws.ts';

/** A principal whose userId throws when read, like a dependency with a bug. */
const brokenPrincipal: Principal = {
  get userId(): string {
    throw new Error('injected fault in a dependency');
  },
  isService: false,
  expiresAt: null,
};

/** Never reached in these tests: they stop at connection_init. */
const unused = () => {
  throw new Error('not used by this test');
};

describe('containment of unexpected errors', () => {
  const logs = captureLogs();
  let server: Server;
  let ws: GraphQLWsServer;
  let url = '';
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => void uncaught.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    server = createServer();
    const deps: GraphQLWsDeps = {
      yoga: unused as never,
      maskError: unused,
      shared: unused as never,
      createContext: unused,
      cookieName: 'jwt',
      logger: logs,
      verifyToken: async (token) => (token === 'broken' ? brokenPrincipal : { userId: token, isService: false, expiresAt: null }),
    };
    ws = attachGraphQLWs(server, '/graphql', loadConfig({}).realtime, deps);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await ws.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('closes only the failing socket with 4500 and logs the stack', async () => {
    const healthy = await openRawSocket(url);
    healthy.send({ type: 'connection_init', payload: { token: 'healthy-user' } });
    await healthy.next('connection_ack');

    const failing = await openRawSocket(url);
    failing.send({ type: 'connection_init', payload: { token: 'broken' } });
    expect(await failing.closed).toEqual({ code: 4500, reason: 'Internal server error' });

    const entry = logs.entries.find((e) => e.level === 'error');
    expect(entry?.message).toMatch(/4500/);
    expect(String(entry?.fields?.error)).toMatch(/injected fault in a dependency\n\s+at /);
    healthy.send({ type: 'ping' });
    await healthy.next('pong');
    expect(uncaught).toEqual([]);
    healthy.socket.close();
    await healthy.closed;
  });
});
