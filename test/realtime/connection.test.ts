import { afterEach, describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { openRawSocket, type RawSocket } from '../support/raw-ws.ts';
import { connectWs, subscribe, type WsClient } from '../support/ws-client.ts';
import { mintToken } from '../support/tokens.ts';
import { graphql, dataOf } from '../support/graphql-client.ts';

const RECEIVED = `subscription($sessionId: ID!) { messageReceived(sessionId: $sessionId) { seq content } }`;

describe('graphql-ws connections', () => {
  const chat = useChatServer('sqlite', {
    CONNECTIONS_PER_USER: '2',
    WS_CONNECTION_INIT_TIMEOUT_MS: '300',
    WEBSOCKET_CORS_ORIGIN: 'https://app.example, https://other.example',
  });
  const open: (WsClient | RawSocket)[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) {
      if ('dispose' in c) await c.dispose();
      else c.socket.terminate();
    }
  });
  const raw = async (headers: Record<string, string> = {}) => {
    const socket = await openRawSocket(chat.server.wsUrl, headers);
    open.push(socket);
    return socket;
  };
  const client = (params: Record<string, unknown> | undefined) => {
    const ws = connectWs(chat.server.wsUrl, params);
    open.push(ws);
    return ws;
  };

  it('acknowledges a connection with a token in connectionParams (bare or Bearer, or `token`)', async () => {
    for (const params of [
      { authorization: await mintToken('a') },
      { authorization: `Bearer ${await mintToken('b')}` },
      { token: await mintToken('c') },
    ]) {
      const socket = await raw();
      socket.send({ type: 'connection_init', payload: params });
      await socket.next('connection_ack');
    }
  });

  it('falls back to the cookie of the upgrade request', async () => {
    const socket = await raw({ cookie: `jwt=${await mintToken('cookie-user')}` });
    socket.send({ type: 'connection_init' });
    await socket.next('connection_ack');
  });

  it('closes with 4403 without a token or with an invalid or expired one', async () => {
    for (const params of [undefined, { authorization: 'garbage' }, { authorization: await mintToken('x', { expiresIn: -10 }) }]) {
      const ws = client(params);
      const { code, reason } = await ws.closed;
      expect(code).toBe(4403);
      expect(reason).toMatch(/^Forbidden/);
    }
  });

  it('closes with 4401 on subscribe before connection_init, 4408 without init, 4429 on a second init', async () => {
    const early = await raw();
    early.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect((await early.closed).code).toBe(4401);

    const silent = await raw();
    expect((await silent.closed).code).toBe(4408);

    const twice = await raw();
    twice.send({ type: 'connection_init', payload: { token: await mintToken('t') } });
    await twice.next('connection_ack');
    twice.send({ type: 'connection_init', payload: { token: await mintToken('t') } });
    expect((await twice.closed).code).toBe(4429);
  });

  it('closes with 4400 on malformed frames and 4409 on a duplicate subscription id', async () => {
    const garbage = await raw();
    garbage.send('{not json');
    expect((await garbage.closed).code).toBe(4400);

    const user = uniqueUser('dup');
    const sessionId = await chat.createSession(user);
    const dup = await raw();
    dup.send({ type: 'connection_init', payload: { token: await mintToken(user) } });
    await dup.next('connection_ack');
    const sub = { id: 'same', type: 'subscribe', payload: { query: RECEIVED, variables: { sessionId } } };
    dup.send(sub);
    dup.send(sub);
    expect((await dup.closed).code).toBe(4409);
  });

  it('answers ping with pong and runs queries over the socket', async () => {
    const socket = await raw();
    socket.send({ type: 'connection_init', payload: { token: await mintToken('q') } });
    await socket.next('connection_ack');
    socket.send({ type: 'ping' });
    await socket.next('pong');
    socket.send({ id: 'q1', type: 'subscribe', payload: { query: '{ sessions { edges { node { id } } } }' } });
    expect(await socket.next('next')).toMatchObject({ id: 'q1', payload: { data: { sessions: { edges: [] } } } });
    await socket.next('complete');
    socket.send({ id: 'q2', type: 'subscribe', payload: { query: '{ nope }' } });
    const error = await socket.next('error');
    expect(error).toMatchObject({ id: 'q2', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
  });

  it('refuses upgrades from origins not in WEBSOCKET_CORS_ORIGIN', async () => {
    await expect(openRawSocket(chat.server.wsUrl, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const allowed = await raw({ origin: 'https://other.example' });
    expect(allowed.socket.readyState).toBe(allowed.socket.OPEN);
  });

  it('refuses one connection more than CONNECTIONS_PER_USER and frees the slot on close', async () => {
    const user = uniqueUser('limited');
    const token = await mintToken(user);
    const sockets = [await raw(), await raw()];
    for (const s of sockets) {
      s.send({ type: 'connection_init', payload: { token } });
      await s.next('connection_ack');
    }
    const third = await raw();
    third.send({ type: 'connection_init', payload: { token } });
    const closed = await third.closed;
    expect(closed.code).toBe(4429);
    expect(closed.reason).toMatch(/Too many connections/);

    sockets[0]!.socket.close();
    await sockets[0]!.closed;
    const fourth = await raw();
    fourth.send({ type: 'connection_init', payload: { token } });
    await fourth.next('connection_ack');
  });

  it('answers NOT_FOUND before any event when subscribing to a session the user is not in', async () => {
    const sessionId = await chat.createSession(uniqueUser('owner'));
    const ws = client({ token: await mintToken(uniqueUser('mallory')) });
    const sub = subscribe(ws.client, RECEIVED, { sessionId });
    await sub.completed;
    expect(sub.events).toEqual([]);
    expect(JSON.stringify(sub.errors)).toContain('NOT_FOUND');
  });

  it('closes at token expiry with 4403, unless the token was refreshed in-band', async () => {
    const user = uniqueUser('expiring');
    const sessionId = await chat.createSession(user);
    const short = client({ token: await mintToken(user, { expiresIn: 2 }) });
    const events = subscribe(short.client, RECEIVED, { sessionId });
    const refreshed = client({ token: await mintToken(user, { expiresIn: 2 }) });
    const kept = subscribe(refreshed.client, RECEIVED, { sessionId });
    const refresh = subscribe<{ refreshConnectionToken: string }>(
      refreshed.client,
      `mutation($token: String!) { refreshConnectionToken(token: $token) }`,
      { token: await mintToken(user, { expiresIn: 3600 }) },
    );
    await refresh.waitFor(1);
    expect(new Date(refresh.events[0]!.refreshConnectionToken).getTime()).toBeGreaterThan(Date.now() + 3000_000);

    const closed = await short.closed;
    expect(closed).toMatchObject({ code: 4403, reason: 'Forbidden: token expired' });
    await chat.send(user, sessionId, 'after expiry');
    await kept.waitFor(1);
    expect(events.events).toEqual([]);
  });

  it('refuses a refreshed token for another user', async () => {
    const user = uniqueUser('refresher');
    const ws = client({ token: await mintToken(user) });
    const attempt = subscribe(ws.client, `mutation($token: String!) { refreshConnectionToken(token: $token) }`, {
      token: await mintToken(uniqueUser('someone-else')),
    });
    await attempt.completed;
    expect(JSON.stringify(attempt.errors)).toContain('FORBIDDEN');
  });

  it('tells HTTP callers that refreshConnectionToken only applies to WebSockets', async () => {
    const response = await graphql(
      chat.server.graphqlUrl,
      `mutation { refreshConnectionToken(token: "x") }`,
      {},
      {
        token: await mintToken('http-user'),
      },
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(dataOf(await graphql(chat.server.graphqlUrl, '{ __typename }')).__typename).toBe('Query');
  });
});
