/**
 * Containment at the HTTP edge: an unexpected failure, sync or async, in the health, REST or
 * GraphQL path answers that one request 500 with a JSON body and a correlation id, is logged
 * with its stack under the same id, and never reaches uncaughtException/unhandledRejection.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Context } from '../../src/context.ts';
import { createMaskError } from '../../src/graphql/mask-error.ts';
import { createChatYoga } from '../../src/graphql/yoga.ts';
import type { HealthHandler } from '../../src/http/health.ts';
import { createRequestHandler, type NodeHandler } from '../../src/http/request-handler.ts';
import { createRequestTracker } from '../../src/http/request-tracker.ts';
import type { Logger } from '../../src/observability/logger.ts';
import { schema } from '../../src/schema/index.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { expectNoInternals } from '../support/leak-check.ts';
import { captureLogs } from '../support/log-capture.ts';
import { closedPort } from '../support/ports.ts';
import { watchProcessFaults } from '../support/process-faults.ts';
import { rawRequest, requestHead, type RawResponse } from '../support/raw-http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const secretFailure = () => new Error('connect ECONNREFUSED at /work/secret/db.ts:12 (SELECT * FROM "ChatSession")');

/** A 500 with a JSON body in `shape`, the correlation id in body and header, nothing internal. */
function expectContained(response: RawResponse, shape: 'graphql' | 'rest'): string {
  expectNoInternals(response.raw);
  expect(response.status, response.raw.slice(0, 300)).toBe(500);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  const correlationId = response.headers['x-correlation-id'] ?? '';
  expect(correlationId).toMatch(/^[\w-]{8,}$/);
  const message = `Unexpected error. Quote correlation id ${correlationId} when reporting it.`;
  if (shape === 'rest') {
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL_SERVER_ERROR', message, correlationId });
  } else {
    expect(body).toEqual({ errors: [{ message, extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId } }] });
  }
  return correlationId;
}

const get = (path: string, headers: string[] = []) =>
  requestHead(`GET ${path} HTTP/1.1`, ['Host: localhost', 'connection: close', ...headers]);
const post = (path: string, body: string) =>
  requestHead(`POST ${path} HTTP/1.1`, ['Host: localhost', 'connection: close', 'content-type: application/json'], body);

describe('the request handler in front of failing parts', () => {
  const faults = watchProcessFaults();
  const logs = captureLogs();
  const fail = { health: 'none', rest: 'none', yoga: 'none' } as Record<'health' | 'rest' | 'yoga', 'none' | 'sync' | 'async'>;
  const raise = (mode: 'none' | 'sync' | 'async') =>
    mode === 'sync'
      ? (() => {
          throw secretFailure();
        })()
      : Promise.reject(secretFailure());
  const health: HealthHandler = (req) => {
    if (fail.health === 'none' || !req.url?.startsWith('/healthz')) return Promise.resolve(false);
    return raise(fail.health) as Promise<boolean>;
  };
  const rest: NodeHandler = () => raise(fail.rest === 'none' ? 'async' : fail.rest);
  const config = loadConfig({});
  const failingPlugin = {
    onResultProcess() {
      if (fail.yoga === 'sync') throw secretFailure();
      if (fail.yoga === 'async') return Promise.reject(secretFailure());
    },
  };
  const yoga = createChatYoga({
    schema,
    createContext: async () => ({}) as Context,
    maskError: createMaskError(logs),
    cookieName: 'jwt',
    operationLimits: config.operationLimits,
    exposure: config.exposure,
    logger: logs,
    plugins: [failingPlugin],
  });
  const handler = createRequestHandler({
    health,
    rest,
    graphql: (req, res) => yoga(req, res),
    requests: createRequestTracker(),
    stopping: () => false,
    logger: logs,
  });
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['health', 'sync', get('/healthz'), 'graphql'],
    ['health', 'async', get('/healthz'), 'graphql'],
    ['rest', 'sync', get('/chat/sessions/s1/messages'), 'rest'],
    ['rest', 'async', get('/chat/sessions/s1/messages'), 'rest'],
    ['yoga', 'sync', post('/graphql', '{"query":"{ __typename }"}'), 'graphql'],
    ['yoga', 'async', post('/graphql', '{"query":"{ __typename }"}'), 'graphql'],
  ] as const)('answers a %s failure (%s) with a contained, logged 500', async (part, mode, request, shape) => {
    fail[part] = mode;
    logs.entries.length = 0;
    try {
      const correlationId = expectContained(await rawRequest(url, request), shape);
      const logged = logs.entries.find((entry) => entry.level === 'error' && entry.fields?.correlationId === correlationId);
      expect(logged, JSON.stringify(logs.entries)).toBeDefined();
      expect(String((logged!.fields!.error as { stack?: string }).stack)).toContain('secretFailure');
      expect(faults.seen).toEqual([]);
    } finally {
      fail[part] = 'none';
    }
  });

  it('keeps the caller’s x-request-id as the correlation id of the 500', async () => {
    fail.health = 'async';
    try {
      const response = await rawRequest(url, get('/healthz', ['x-request-id: req-contained-1']));
      expect(expectContained(response, 'graphql')).toBe('req-contained-1');
    } finally {
      fail.health = 'none';
    }
  });
});

describe('the real app with a logger that throws and an unreachable database', () => {
  const faults = watchProcessFaults();
  const explode = () => {
    throw secretFailure();
  };
  const logger: Logger = { debug() {}, info() {}, warn: explode, error: explode };
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { DATABASE_URL: `postgresql://postgres@127.0.0.1:${await closedPort()}/chat` }, { logger });
  });
  afterAll(() => server.stop());

  it('answers /readyz, GraphQL and REST with contained 500s and raises nothing in the process', async () => {
    const token = await server.token(uniqueUser('u'));
    expectContained(await rawRequest(server.url, get('/readyz')), 'graphql');
    const count = JSON.stringify({ query: 'query($id: ID!) { messageCount(sessionId: $id) }', variables: { id: 's1' } });
    const graphql = requestHead(
      'POST /graphql HTTP/1.1',
      ['Host: localhost', 'connection: close', 'content-type: application/json', `authorization: Bearer ${token}`],
      count,
    );
    expectContained(await rawRequest(server.url, graphql), 'graphql');
    const rest = await rawRequest(server.url, get('/chat/sessions/s1/messages/count', [`authorization: Bearer ${token}`]));
    expectContained(rest, 'rest');
    expect(faults.seen).toEqual([]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
