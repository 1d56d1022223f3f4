/**
 * One chat, several transports: messages and typing sent over GraphQL or REST reach Socket.IO
 * clients and the other way round, through the one session hub; a Socket.IO member counts as
 * present; a dropped client reconnects, joins again and finds what it missed; shutdown closes
 * Socket.IO connections so clients reconnect elsewhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf } from '../support/graphql-client.ts';
import { useRestClient } from '../support/rest-client.ts';
import { startTestServer, testedProviders } from '../support/server.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { connectWs, eventually, subscribe, type WsClient } from '../support/ws-client.ts';
import { connectLegacy, useLegacyClients } from './legacy-client.ts';

const MESSAGE_RECEIVED = `subscription($s: ID!) { messageReceived(sessionId: $s) { id seq content authorId metadata } }`;
const TYPING = `subscription($s: ID!) { typing(sessionId: $s) { userId isTyping } }`;
const SET_TYPING = `mutation($s: ID!, $t: Boolean!) { setTyping(sessionId: $s, isTyping: $t) }`;

describe.each(testedProviders())('Socket.IO beside GraphQL and REST (%s)', (provider) => {
  const chat = useChatServer(provider, { TYPING_THROTTLE_MS: '0' });
  const rest = useRestClient(chat);
  const { clients, connect } = useLegacyClients(chat);
  const wsClients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(wsClients.splice(0).map((ws) => ws.dispose()));
  });
  const graphqlWs = async (userId: string) => {
    const ws = connectWs(chat.server.wsUrl, { token: await chat.server.token(userId) });
    wsClients.push(ws);
    return ws;
  };

  it('delivers GraphQL and REST sends to Socket.IO members, in seq order', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const b = await connect(bob);
    await b.request('join_session', { sessionId });
    await chat.send(alice, sessionId, { content: 'via graphql', metadata: { n: 1 } });
    const posted = await rest.as(alice, 'POST', `/chat/sessions/${sessionId}/messages`, { body: { content: 'via rest' } });
    expect(posted.status).toBe(201);
    expect(await b.next('message_received')).toMatchObject({ seq: 1, content: 'via graphql', metadata: { n: 1 }, authorId: alice });
    expect(await b.next('message_received')).toMatchObject({ seq: 2, content: 'via rest', authorId: alice });
  });

  it('delivers Socket.IO sends to graphql-ws subscribers and to REST readers', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const sub = subscribe<{ messageReceived: { content: string; authorId: string; metadata: unknown } }>(
      (await graphqlWs(alice)).client,
      MESSAGE_RECEIVED,
      { s: sessionId },
    );
    await waitForPresence(chat.server, sessionId, 1);
    const b = await connect(bob);
    await b.request('join_session', { sessionId });
    await b.request('send_message', { content: 'from socket.io', metadata: { app: 'legacy' } });
    const [event] = await sub.waitFor(1);
    expect(event?.messageReceived).toEqual({
      id: expect.any(String),
      seq: 1,
      content: 'from socket.io',
      authorId: bob,
      metadata: { app: 'legacy' },
    });
    const read = await rest.as<{ content: string }[]>(alice, 'GET', `/chat/sessions/${sessionId}/messages`);
    expect(read.body.map((m) => m.content)).toEqual(['from socket.io']);
  });

  it('carries typing both ways between setTyping/typing and Socket.IO', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const sub = subscribe<{ typing: { userId: string; isTyping: boolean } }>((await graphqlWs(alice)).client, TYPING, { s: sessionId });
    await waitForPresence(chat.server, sessionId, 1);
    const b = await connect(bob);
    await b.request('join_session', { sessionId });
    await b.request('typing', { isTyping: true });
    expect((await sub.waitFor(1))[0]?.typing).toEqual({ userId: bob, isTyping: true });
    dataOf(await chat.as(alice, SET_TYPING, { s: sessionId, t: true }));
    expect(await b.next('typing_indicator')).toEqual({ sessionId, userId: alice, isTyping: true });
  });

  it('shows a Socket.IO member in sessionInfo.connectedUserIds', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const b = await connect(bob);
    await b.request('join_session', { sessionId });
    const info = await chat.as(alice, `query($s: ID!) { sessionInfo(sessionId: $s) { connectedUserIds } }`, { s: sessionId });
    expect(dataOf(info)).toEqual({ sessionInfo: { connectedUserIds: [bob] } });
    b.close();
    await eventually(async () => (await chat.server.app.realtime.presence.connectedUsers(sessionId)).length === 0);
  });

  it('reconnects after a dropped connection, joins again and finds the messages it missed', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const b = await connectLegacy(chat.server.url, await chat.server.token(bob), { reconnection: true, reconnectionDelay: 50 });
    clients.push(b);
    // As the legacy clients do: (re)join on every connect.
    b.socket.on('connect', () => b.socket.emit('join_session', { sessionId }));
    b.socket.emit('join_session', { sessionId });
    await b.next('session_joined');
    const dropped = new Promise<string>((resolve) => b.socket.once('disconnect', resolve));
    // The network drops: the TCP connection ends under the client's WebSocket.
    (b.socket.io.engine.transport as unknown as { ws: { terminate(): void } }).ws.terminate();
    expect(await dropped).toBe('transport close');
    await chat.send(alice, sessionId, 'while bob was away');
    const rejoined = await b.next<{ recentMessages: { content: string }[] }>('session_joined');
    await chat.send(alice, sessionId, 'after the reconnect');
    // Whether the missed message came in recentMessages or (rejoined first) live, each arrives once.
    const seen = rejoined.recentMessages.map((m) => m.content);
    while (seen.at(-1) !== 'after the reconnect') seen.push((await b.next<{ content: string }>('message_received')).content);
    expect(seen).toEqual(['while bob was away', 'after the reconnect']);
  });
});

describe('Socket.IO at shutdown', () => {
  it('closes Socket.IO connections so clients reconnect elsewhere, and stops promptly', async () => {
    const server = await startTestServer('sqlite');
    try {
      const client = await connectLegacy(server.url, await server.token(uniqueUser('alice')));
      const reason = new Promise<string>((resolve) => client.socket.once('disconnect', resolve));
      const started = Date.now();
      await server.app.stop();
      // "transport close" (not "io server disconnect"): socket.io-client reconnects by itself.
      expect(await reason).toBe('transport close');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(server.app.socketIo.connectionCount).toBe(0);
      client.close();
    } finally {
      await server.stop();
    }
  });
});
