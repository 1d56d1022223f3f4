/**
 * Socket.IO connections: the handshake (auth.token, header, cookie; refusals as connect_error
 * with a code and correlation id), CONNECTIONS_PER_USER shared with graphql-ws, the send and
 * typing budgets shared with GraphQL, the packet bound, token expiry, and graphql-ws upgrades
 * on /graphql coexisting with the engine's on one port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SendMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf, errorCode } from '../support/graphql-client.ts';
import { openRawSocket } from '../support/raw-ws.ts';
import { connectWs, eventually, subscribe, type WsClient } from '../support/ws-client.ts';
import { connectLegacy, refusal, type LegacyOptions, useLegacyClients } from './legacy-client.ts';

const MESSAGE_RECEIVED = `subscription($s: ID!) { messageReceived(sessionId: $s) { content } }`;

describe('Socket.IO connections', () => {
  const chat = useChatServer('sqlite', {
    CONNECTIONS_PER_USER: '2',
    MESSAGES_PER_MINUTE: '3',
    TYPING_EVENTS_PER_10S: '2',
    TYPING_THROTTLE_MS: '0',
    MAX_BODY_BYTES: '65536',
    WEBSOCKET_CORS_ORIGIN: 'https://app.example',
  });
  const { clients, connect } = useLegacyClients(chat);
  const wsClients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(wsClients.splice(0).map((ws) => ws.dispose()));
  });

  it('refuses a missing, forged or expired token with UNAUTHENTICATED and a correlation id', async () => {
    const alice = uniqueUser('alice');
    const cases = [undefined, await chat.server.token(alice, { secret: 'another-secret-that-is-long-enough-0123456789' })];
    cases.push(await chat.server.token(alice, { expiresIn: -10 }));
    for (const token of cases) {
      const refused = await refusal(chat.server.url, token);
      expect(refused.data?.code).toBe('UNAUTHENTICATED');
      expect(refused.data?.correlationId).toMatch(/^[\w.-]{8,}$/);
      expect(refused.message).not.toMatch(/at .+\.(ts|js):\d+/);
    }
    expect((await refusal(chat.server.url, undefined)).message).toMatch(/auth\.token/);
  });

  it('accepts the token as "Bearer …" in auth.token, in the Authorization header, or in the JWT cookie', async () => {
    const alice = uniqueUser('alice');
    const token = await chat.server.token(alice);
    const variants: LegacyOptions[] = [
      { auth: { token: `Bearer ${token}` } },
      { auth: {}, extraHeaders: { authorization: `Bearer ${token}` } },
      { auth: {}, extraHeaders: { cookie: `theme=dark; jwt=${token}` } },
    ];
    for (const options of variants) {
      const client = await connectLegacy(chat.server.url, undefined, options);
      client.close();
    }
  });

  it('checks the Origin against WEBSOCKET_CORS_ORIGIN, as for graphql-ws', async () => {
    const token = await chat.server.token(uniqueUser('alice'));
    const refused = await refusal(chat.server.url, token, { extraHeaders: { origin: 'https://evil.example' } });
    expect(refused.message).toMatch(/websocket error|xhr poll error|Forbidden/i);
    const allowed = await connectLegacy(chat.server.url, token, { extraHeaders: { origin: 'https://app.example' } });
    allowed.close();
  });

  it('serves only the configured namespace', async () => {
    const token = await chat.server.token(uniqueUser('alice'));
    const root = await refusal(chat.server.url, token, { namespace: '/' });
    expect(root.data?.code).toBe('NOT_FOUND');
    expect(root.message).toMatch(/namespace \/chat/);
    expect((await refusal(chat.server.url, token, { namespace: '/other' })).message).toBe('Invalid namespace');
  });

  it('counts Socket.IO and graphql-ws connections against one CONNECTIONS_PER_USER', async () => {
    const alice = uniqueUser('alice');
    const token = await chat.server.token(alice);
    const ws = connectWs(chat.server.wsUrl, { token });
    wsClients.push(ws);
    const sessionId = await chat.createSession(alice);
    const sub = subscribe(ws.client, MESSAGE_RECEIVED, { s: sessionId });
    await eventually(async () => chat.server.app.ws.connectionCount === 1, 5000, 'graphql-ws never connected');
    const first = await connect(alice);
    const third = await refusal(chat.server.url, token);
    expect(third.data?.code).toBe('RATE_LIMITED');
    expect(third.message).toMatch(/Too many connections/);
    // graphql-ws sees the same count: a second graphql-ws connection (the third in all) is refused with 4429.
    const extra = connectWs(chat.server.wsUrl, { token });
    wsClients.push(extra);
    expect((await extra.closed).code).toBe(4429);
    // Closing the Socket.IO connection frees its slot.
    first.close();
    await eventually(async () => chat.server.app.socketIo.connectionCount === 0);
    await connect(alice);
    sub.unsubscribe();
  });

  it('shares the send budget with GraphQL and answers RATE_LIMITED with retryAfterSeconds', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const client = await connect(alice);
    await client.request('join_session', { sessionId });
    await chat.send(alice, sessionId, 'graphql one');
    for (const content of ['socket two', 'socket three']) {
      expect((await client.request<{ type: string }>('send_message', { content })).type).toBe('message_received');
    }
    const refused = await client.request<{ type: string; data: Record<string, unknown> }>('send_message', { content: 'four' });
    expect(refused.type).toBe('error');
    expect(refused.data).toMatchObject({ code: 'RATE_LIMITED', limit: 3, event: 'send_message', correlationId: expect.any(String) });
    expect(refused.data.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const viaGraphql = await chat.as(alice, SendMessageDocument, { sessionId, input: { content: 'graphql four' } });
    expect(errorCode(viaGraphql)).toBe('RATE_LIMITED');
  });

  it('limits typing events per user like setTyping does', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const client = await connect(alice);
    await client.request('join_session', { sessionId });
    expect(await client.request('typing', { isTyping: true })).toBeNull();
    expect(await client.request('typing', { isTyping: true })).toBeNull();
    const refused = await client.request<{ data: Record<string, unknown> }>('typing', { isTyping: true });
    expect(refused.data).toMatchObject({ code: 'RATE_LIMITED', limit: 2, event: 'typing' });
  });

  it('closes a connection whose packet is over MAX_BODY_BYTES and keeps serving the others', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const big = await connect(alice);
    await big.request('join_session', { sessionId });
    const gone = new Promise<string>((resolve) => big.socket.once('disconnect', resolve));
    big.socket.emit('send_message', { content: 'x', metadata: { pad: 'y'.repeat(70_000) } });
    expect(await gone).toBe('transport close');
    const other = await connect(alice);
    await other.request('join_session', { sessionId });
    expect(dataOf(await chat.as(alice, `query($s: ID!) { messageCount(sessionId: $s) }`, { s: sessionId }))).toEqual({ messageCount: 0 });
  });

  it('sends UNAUTHENTICATED and disconnects when the token expires', async () => {
    const alice = uniqueUser('alice');
    const client = await connectLegacy(chat.server.url, await chat.server.token(alice, { expiresIn: 2 }));
    clients.push(client);
    const reason = new Promise<string>((resolve) => client.socket.once('disconnect', resolve));
    expect(await client.next('error', 10_000)).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/) });
    expect(await reason).toBe('io server disconnect');
  });

  it('keeps graphql-ws on /graphql and 404 for other upgrade paths beside the engine', async () => {
    const alice = uniqueUser('alice');
    const token = await chat.server.token(alice);
    const sessionId = await chat.createSession(alice);
    const ws = connectWs(chat.server.wsUrl, { token });
    wsClients.push(ws);
    const sub = subscribe<{ messageReceived: { content: string } }>(ws.client, MESSAGE_RECEIVED, { s: sessionId });
    await eventually(async () => (await chat.server.app.realtime.presence.connectedUsers(sessionId)).includes(alice));
    await chat.send(alice, sessionId, 'still graphql-ws');
    expect((await sub.waitFor(1))[0]?.messageReceived.content).toBe('still graphql-ws');
    await expect(openRawSocket(`${chat.server.wsUrl.replace('/graphql', '/elsewhere')}`)).rejects.toThrow(/404/);
    // Long-polling first, then the engine's own upgrade, as browsers connect by default.
    const polling = await connectLegacy(chat.server.url, token, { transports: ['polling', 'websocket'] });
    clients.push(polling);
    await eventually(() => polling.socket.io.engine.transport.name === 'websocket', 5000, 'never upgraded from polling');
  });
});
