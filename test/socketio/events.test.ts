/**
 * The legacy Socket.IO event API with the real socket.io-client: every client and server
 * event, errors with codes and correlation ids, and the rules shared with GraphQL.
 */
import { describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf } from '../support/graphql-client.ts';
import { expectNoInternals } from '../support/leak-check.ts';
import { testedProviders } from '../support/server.ts';
import { legacyClient, useLegacyClients } from './legacy-client.ts';

interface MessageData {
  id: string;
  sessionId: string;
  seq: number;
  role: string;
  content: string;
  metadata: unknown;
  timestamp: string;
  authorId: string;
  editedAt: string | null;
  clientMessageId: string | null;
}
interface ErrorData {
  message: string;
  code: string;
  correlationId: string;
  event?: string;
  retryAfterSeconds?: number;
}

describe.each(testedProviders())('Socket.IO events (%s)', (provider) => {
  const chat = useChatServer(provider, { TYPING_THROTTLE_MS: '0' });
  const { clients, connect } = useLegacyClients(chat);

  it('announces connected with the userId in the { type, data, timestamp } envelope', async () => {
    const alice = uniqueUser('alice');
    const client = legacyClient(chat.server.url, await chat.server.token(alice));
    clients.push(client);
    client.socket.connect();
    const envelope = await client.inbox.next('connected');
    expect(envelope).toMatchObject({ type: 'connected', data: { userId: alice } });
    expect(Date.parse(String(envelope.timestamp))).not.toBeNaN();
  });

  it('joins a session with its recent messages, then delivers new ones to every member', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    await chat.send(alice, sessionId, 'before the join');
    const a = await connect(alice);
    const b = await connect(bob);
    const joined = await a.request<{ type: string; data: { sessionId: string; recentMessages: MessageData[] }; timestamp: string }>(
      'join_session',
      { sessionId },
    );
    expect(joined.type).toBe('session_joined');
    expect(Date.parse(joined.timestamp)).not.toBeNaN();
    expect(joined.data.sessionId).toBe(sessionId);
    expect(joined.data.recentMessages.map((m) => m.content)).toEqual(['before the join']);
    expect((await a.next<{ sessionId: string }>('session_joined')).sessionId).toBe(sessionId);
    await b.request('join_session', { sessionId });

    b.socket.emit('send_message', { content: 'hello from bob', metadata: { source: 'mobile' } });
    const [atAlice, atBob] = await Promise.all([a.next<MessageData>('message_received'), b.next<MessageData>('message_received')]);
    expect(atAlice).toEqual(atBob);
    expect(atAlice).toMatchObject({
      sessionId,
      seq: 2,
      role: 'USER',
      content: 'hello from bob',
      metadata: { source: 'mobile' },
      authorId: bob,
      editedAt: null,
      clientMessageId: null,
    });
    expect(atAlice.id).toEqual(expect.any(String));
    expect(Date.parse(atAlice.timestamp)).not.toBeNaN();
  });

  it('shows typing to the others as typing_indicator, never to the typist', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const a = await connect(alice);
    const b = await connect(bob);
    await a.request('join_session', { sessionId });
    await b.request('join_session', { sessionId });
    await a.request('typing', { isTyping: true });
    expect(await b.next('typing_indicator')).toEqual({ sessionId, userId: alice, isTyping: true });
    await a.request('typing', { isTyping: false });
    expect(await b.next('typing_indicator')).toEqual({ sessionId, userId: alice, isTyping: false });
    // Bob's own change reaches Alice; by then Alice's inbox shows that none of hers came back.
    await b.request('typing', { isTyping: true });
    expect(await a.next('typing_indicator')).toEqual({ sessionId, userId: bob, isTyping: true });
    expect(a.inbox.messages.filter((m) => m.type === 'typing_indicator')).toEqual([]);
  });

  it('answers get_session_info with the participants, count and connected users', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob], 'info');
    await chat.send(alice, sessionId, 'one');
    const a = await connect(alice);
    await a.request('join_session', { sessionId });
    const reply = await a.request<{ type: string; data: Record<string, unknown> }>('get_session_info');
    expect(reply.type).toBe('session_info');
    expect(reply.data).toMatchObject({
      sessionId,
      session: { id: sessionId, title: 'info', ownerId: alice, messageCount: 1, lastSeq: 1 },
      messageCount: 1,
      connectedUserIds: [alice],
    });
    expect((reply.data.participants as { userId: string }[]).map((p) => p.userId).sort()).toEqual([alice, bob].sort());
    expect(await a.next('session_info')).toEqual(reply.data);
  });

  it('stops delivering after leave_session and hides the leaver’s typing', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const a = await connect(alice);
    const b = await connect(bob);
    await a.request('join_session', { sessionId });
    await b.request('join_session', { sessionId });
    await a.request('typing', { isTyping: true });
    await b.next('typing_indicator');
    await a.request('leave_session');
    expect(await b.next('typing_indicator')).toEqual({ sessionId, userId: alice, isTyping: false });
    await chat.send(bob, sessionId, 'after alice left');
    await b.next('message_received');
    expect(a.inbox.messages.filter((m) => m.type === 'message_received')).toEqual([]);
    const refused = await a.request<{ type: string; data: ErrorData }>('send_message', { content: 'not joined' });
    expect(refused.data).toMatchObject({ code: 'BAD_USER_INPUT', event: 'send_message' });
  });

  it('hides the typing indicator of a socket that disconnects', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const a = await connect(alice);
    const b = await connect(bob);
    await a.request('join_session', { sessionId });
    await b.request('join_session', { sessionId });
    await a.request('typing', { isTyping: true });
    await b.next('typing_indicator');
    a.close();
    expect(await b.next('typing_indicator')).toEqual({ sessionId, userId: alice, isTyping: false });
  });

  it('answers an invalid session, a validation failure and an unknown event with coded errors', async () => {
    const alice = uniqueUser('alice');
    const stranger = uniqueUser('stranger');
    const sessionId = await chat.createSession(alice);
    const s = await connect(stranger);
    const notMine = await s.request<{ type: string; data: ErrorData }>('join_session', { sessionId });
    expect(notMine.type).toBe('error');
    expect(notMine.data).toMatchObject({ code: 'NOT_FOUND', event: 'join_session', message: expect.stringContaining('was not found') });
    expect(notMine.data.correlationId).toMatch(/^[\w.-]{8,}$/);
    expect(await s.next('error')).toEqual(notMine.data);

    const a = await connect(alice);
    await a.request('join_session', { sessionId });
    const tooLong = await a.request<{ data: ErrorData }>('send_message', { content: 'x'.repeat(10_001) });
    expect(tooLong.data).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/limit is 10000/) });
    const badMeta = await a.request<{ data: ErrorData }>('send_message', { content: 'ok', metadata: [1, 2] });
    expect(badMeta.data).toMatchObject({ code: 'BAD_USER_INPUT', message: 'metadata must be a JSON object' });
    const unknown = await a.request<{ data: ErrorData }>('delete_everything', {});
    expect(unknown.data).toMatchObject({ code: 'BAD_USER_INPUT', event: 'delete_everything' });
    for (const reply of [notMine, tooLong, badMeta, unknown]) expectNoInternals(reply);
    const stored = dataOf(await chat.as(alice, `query($s: ID!) { messageCount(sessionId: $s) }`, { s: sessionId }));
    expect(stored).toEqual({ messageCount: 0 });
  });

  it('keeps clientMessageId idempotency: a retried send stores one message', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const a = await connect(alice);
    await a.request('join_session', { sessionId });
    const first = await a.request<{ data: MessageData }>('send_message', { content: 'once', clientMessageId: 'retry-1' });
    const again = await a.request<{ data: MessageData }>('send_message', { content: 'once', clientMessageId: 'retry-1' });
    expect(again.data.id).toBe(first.data.id);
    expect(dataOf(await chat.as(alice, `query($s: ID!) { messageCount(sessionId: $s) }`, { s: sessionId }))).toEqual({ messageCount: 1 });
  });
});
