/**
 * Structured logs through a real server: one access line per HTTP request and per
 * WebSocket connection, debug lines that say what ran, errors with stack and
 * correlation id, and no credential in any line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateSessionDocument, MessageCountDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { runWithCorrelationId } from '../../src/observability/correlation.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { captureLogStream, type LogLine, type LogStream } from '../support/log-stream.ts';
import { openRawSocket } from '../support/raw-ws.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { connectWs, subscribe } from '../support/ws-client.ts';
import { connectLegacy } from '../socketio/legacy-client.ts';

const RECEIVED = 'subscription Watch($sessionId: ID!) { messageReceived(sessionId: $sessionId) { seq content } }';

const isHttp = (correlationId: string) => (line: LogLine) => line.message === 'http request' && line.correlationId === correlationId;

describe('logs', () => {
  let server: TestServer;
  let logs: LogStream;
  beforeAll(async () => {
    logs = captureLogStream('debug');
    server = await startTestServer('sqlite', {}, { logger: logs.logger });
  });
  afterAll(() => server.stop());

  it('writes one access line per HTTP request: method, path, route, status, duration, user and correlation id', async () => {
    const alice = uniqueUser('alice');
    const token = await server.token(alice);
    const response = await graphql(
      server.graphqlUrl,
      CreateSessionDocument,
      { input: { title: 'logged' } },
      { token, headers: { 'x-request-id': 'req-create-0001' } },
    );
    dataOf(response);
    const line = await logs.waitForLine(isHttp('req-create-0001'));
    expect(line).toMatchObject({ level: 'info', method: 'POST', path: '/graphql', route: '/graphql', status: 200, userId: alice });
    expect(typeof line.durationMs).toBe('number');
    expect(Date.parse(line.time)).not.toBeNaN();
    // Level, time and message lead every line, as they did before pino.
    expect(logs.text).toMatch(/\{"level":"info","time":"[^"]+","message":"http request","correlationId":"req-create-0001",/);

    // A REST route: the path keeps its ids, loses its query string; the route is the pattern.
    const sessionId = dataOf(response).createSession.id;
    const rest = await fetch(`${server.url}/chat/sessions/${sessionId}/messages?limit=5&access_token=should-not-appear`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-rest-00001' },
    });
    expect(rest.status).toBe(200);
    const restLine = await logs.waitForLine(isHttp('req-rest-00001'));
    expect(restLine).toMatchObject({
      method: 'GET',
      path: `/chat/sessions/${sessionId}/messages`,
      route: '/chat/sessions/:sessionId/messages',
      status: 200,
      userId: alice,
    });
    expect(logs.text).not.toContain('should-not-appear');

    // Without a token: the line is written, with no user.
    await fetch(`${server.url}/graphql?query=%7B__typename%7D`, { headers: { 'x-request-id': 'req-anon-00001' } });
    expect(await logs.waitForLine(isHttp('req-anon-00001'))).toMatchObject({ method: 'GET', path: '/graphql', status: 200, userId: null });
  });

  it('writes access lines for Socket.IO long-polling requests, under one route', async () => {
    const client = await connectLegacy(server.url, await server.token(uniqueUser('poller')), {
      transports: ['polling'],
      extraHeaders: { 'x-request-id': 'req-polling-001' },
    });
    try {
      const line = await logs.waitForLine(isHttp('req-polling-001'));
      expect(line).toMatchObject({ route: '/socket.io/', path: '/socket.io/', status: 200 });
      expect(['GET', 'POST']).toContain(line.method);
    } finally {
      client.close();
    }
  });

  it('never writes a bearer token, a cookie or connectionParams credentials into any line', async () => {
    const user = uniqueUser('secretive');
    const token = await server.token(user);
    const cookieSecret = 'cookie-secret-value-0123456789';
    // Valid token in the header and the cookie, an unrelated secret cookie, a token in the query string.
    await graphql(
      server.graphqlUrl,
      CreateSessionDocument,
      { input: { title: 'redaction' } },
      {
        token,
        headers: { cookie: `jwt=${token}; session=${cookieSecret}`, 'x-request-id': 'req-redact-0001' },
      },
    );
    await fetch(`${server.url}/graphql?query=%7B__typename%7D&token=${token}`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-redact-0002' },
    });
    // An invalid token is refused, and the refusal logged, without the token.
    const forged = `${token.slice(0, -4)}AAAA`;
    await graphql(
      server.graphqlUrl,
      MessageCountDocument,
      { sessionId: '00000000-0000-4000-8000-000000000000' },
      { token: forged, headers: { 'x-request-id': 'req-redact-0003' } },
    );
    // And over a WebSocket: the token in connection_init's payload.
    const ws = await openRawSocket(server.wsUrl, { cookie: `jwt=${token}` });
    ws.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await ws.next('connection_ack');
    ws.socket.close(1000);
    await ws.closed;
    await logs.waitForLine((line) => line.message === 'ws connection closed' && line.userId === user);
    await logs.waitForLine(isHttp('req-redact-0003'));

    expect(logs.lines().filter((line) => line.userId === user).length).toBeGreaterThanOrEqual(3);
    for (const secret of [token, forged, token.split('.')[2]!, forged.split('.')[2]!, cookieSecret])
      expect(logs.text).not.toContain(secret);
  });

  it('redacts credentials whatever field or error they are logged in', () => {
    const stream = captureLogStream('debug');
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
    stream.logger.error('failed', {
      headers: { authorization: `Bearer ${jwt}`, cookie: 'jwt=abc', 'x-request-id': 'kept-id-01' },
      connectionParams: { token: 'params-token-value' },
      error: new Error(`verification failed for Bearer ${jwt}`),
      note: `token was ${jwt}`,
    });
    const [line] = stream.lines();
    expect(stream.text).not.toContain('c2lnbmF0dXJlLXZhbHVl');
    expect(stream.text).not.toContain('params-token-value');
    expect(stream.text).not.toContain('jwt=abc');
    expect(line).toMatchObject({
      level: 'error',
      message: 'failed',
      headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', 'x-request-id': 'kept-id-01' },
    });
    expect((line!.error as { stack: string }).stack).toMatch(/verification failed for Bearer \[REDACTED\]\n\s+at /);
  });

  it('gives every error line a correlation id: the request’s inside one, a fresh one outside', () => {
    const stream = captureLogStream('info');
    runWithCorrelationId('scope-id-0001', () => stream.logger.error('inside', { error: new Error('x') }));
    stream.logger.error('outside');
    stream.logger.info('not an error');
    const [inside, outside, info] = stream.lines();
    expect(inside).toMatchObject({ message: 'inside', correlationId: 'scope-id-0001' });
    expect(outside?.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(info?.correlationId).toBeUndefined();
  });

  it('logs a dependency failure with its stack under the correlation id the client received', async () => {
    const stream = captureLogStream('info');
    const broken = await startTestServer('sqlite', { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/chat' }, { logger: stream.logger });
    try {
      const response = await graphql(
        broken.graphqlUrl,
        MessageCountDocument,
        { sessionId: '00000000-0000-4000-8000-000000000000' },
        {
          token: await broken.token(uniqueUser('u')),
        },
      );
      const correlationId = response.errors?.[0]?.extensions?.correlationId;
      expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      const line = await stream.waitForLine((entry) => entry.message === 'dependency unavailable');
      expect(line.correlationId).toBe(correlationId);
      expect((line.error as { stack?: string }).stack).toMatch(/\n\s+at /);
    } finally {
      await broken.stop();
    }
  });

  it('writes a WebSocket connection’s open and close lines: user, correlation id, code, who closed, duration, operations', async () => {
    const alice = uniqueUser('alice');
    const token = await server.token(alice);
    const sessionId = dataOf(await graphql(server.graphqlUrl, CreateSessionDocument, { input: { title: 'ws log' } }, { token }))
      .createSession.id;
    const ws = await openRawSocket(server.wsUrl, { 'x-request-id': 'ws-conn-000001' });
    ws.send({ type: 'connection_init', payload: { token } });
    await ws.next('connection_ack');
    expect(
      await logs.waitForLine((line) => line.message === 'ws connection open' && line.correlationId === 'ws-conn-000001'),
    ).toMatchObject({
      level: 'info',
      userId: alice,
    });
    ws.send({ id: 'w1', type: 'subscribe', payload: { query: RECEIVED, operationName: 'Watch', variables: { sessionId } } });
    ws.send({ id: 'q1', type: 'subscribe', payload: { query: '{ __typename }' } });
    await ws.next('complete');
    ws.socket.close(4000, 'bye');
    await ws.closed;
    const closed = await logs.waitForLine((line) => line.message === 'ws connection closed' && line.correlationId === 'ws-conn-000001');
    expect(closed).toMatchObject({ level: 'info', userId: alice, code: 4000, initiator: 'client', acknowledged: true, operations: 2 });
    expect(closed.durationMs).toEqual(expect.any(Number));

    // Closed by the server: a subscribe before connection_init is 4401.
    const early = await openRawSocket(server.wsUrl, { 'x-request-id': 'ws-conn-000002' });
    early.send({ id: 'x', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect((await early.closed).code).toBe(4401);
    expect(
      await logs.waitForLine((line) => line.message === 'ws connection closed' && line.correlationId === 'ws-conn-000002'),
    ).toMatchObject({
      code: 4401,
      initiator: 'server',
      acknowledged: false,
      userId: null,
      operations: 0,
    });
  });

  it('at LOG_LEVEL=debug says which operation ran, how long it took, and each WebSocket frame type', async () => {
    const alice = uniqueUser('alice');
    const token = await server.token(alice);
    const sessionId = dataOf(await graphql(server.graphqlUrl, CreateSessionDocument, { input: { title: 'debug' } }, { token }))
      .createSession.id;
    const ws = connectWs(server.wsUrl, { token });
    const sub = subscribe(ws.client, RECEIVED, { sessionId });
    await logs.waitForLine((line) => line.message === 'ws frame' && line.type === 'subscribe' && line.operationName === 'Watch');
    await waitForPresence(server, sessionId, 1);
    dataOf(await graphql(server.graphqlUrl, SendMessageDocument, { sessionId, input: { content: 'hi' } }, { token }));
    await sub.waitFor(1);
    const operation = await logs.waitForLine((line) => line.message === 'graphql operation' && line.operation === 'SendMessage');
    expect(operation).toMatchObject({ level: 'debug', type: 'mutation', result: 'OK' });
    expect(operation.durationMs).toEqual(expect.any(Number));
    await logs.waitForLine((line) => line.message === 'ws frame' && line.type === 'connection_init');
    await ws.dispose();
    // Frame lines carry the type and id, never a payload (connection_init's holds the token).
    expect(
      logs
        .lines()
        .filter((line) => line.message === 'ws frame')
        .every((line) => line.payload === undefined),
    ).toBe(true);
    expect(logs.text).not.toContain(token);
  });

  it('writes nothing below the configured level', () => {
    const stream = captureLogStream('warn');
    stream.logger.info('quiet');
    stream.logger.debug('quieter');
    stream.logger.warn('loud');
    expect(stream.lines().map((line) => line.message)).toEqual(['loud']);
    expect(() => createLogger('silent').error('nothing')).not.toThrow();
  });
});
