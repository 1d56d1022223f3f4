/**
 * Ids that cannot exist — a NUL (which PostgreSQL text refuses outright) or a lone
 * surrogate (which it would turn into U+FFFD) — answer exactly like any unknown id at
 * every entry point: NOT_FOUND for session and message ids, UNAUTHENTICATED for a signed
 * token's `sub`. Never a masked 500, and nothing stored changes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { expectCodedError, storedState } from '../support/coded-errors.ts';
import { graphql } from '../support/graphql-client.ts';
import { openRawSocket } from '../support/raw-ws.ts';
import { expectRestError, useRestClient } from '../support/rest-client.ts';
import { testedProviders } from '../support/server.ts';
import { connectWs, subscribe } from '../support/ws-client.ts';

const UNUSABLE_IDS: [string, string][] = [
  ['a NUL inside', 'a\u0000b'],
  ['only a NUL', '\u0000'],
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate inside', 'x\udc00y'],
];

/** Every operation that takes a session or message id, with that id as `$id`. */
const ID_OPERATIONS: [string, string][] = [
  ['session', 'query($id: ID!) { session(id: $id) { id } }'],
  ['sessionInfo', 'query($id: ID!) { sessionInfo(sessionId: $id) { messageCount } }'],
  ['messages', 'query($id: ID!) { messages(sessionId: $id) { id } }'],
  ['recentMessages', 'query($id: ID!) { recentMessages(sessionId: $id) { id } }'],
  ['messageCount', 'query($id: ID!) { messageCount(sessionId: $id) }'],
  ['message', 'query($id: ID!) { message(id: $id) { id } }'],
  ['sendMessage', 'mutation($id: ID!) { sendMessage(sessionId: $id, input: { content: "x" }) { id } }'],
  ['updateMessage', 'mutation($id: ID!) { updateMessage(id: $id, input: { content: "x" }) { id } }'],
  ['deleteMessage', 'mutation($id: ID!) { deleteMessage(id: $id) { id } }'],
  ['clearConversation', 'mutation($id: ID!) { clearConversation(sessionId: $id) }'],
  ['addParticipant', 'mutation($id: ID!) { addParticipant(sessionId: $id, userId: "someone") { id } }'],
  ['setTyping', 'mutation($id: ID!) { setTyping(sessionId: $id, isTyping: true) }'],
];

const SUBSCRIPTIONS: [string, string][] = [
  ['messageReceived', 'subscription($id: ID!) { messageReceived(sessionId: $id) { id } }'],
  ['messageUpdated', 'subscription($id: ID!) { messageUpdated(sessionId: $id) { id } }'],
  ['messageDeleted', 'subscription($id: ID!) { messageDeleted(sessionId: $id) { cleared } }'],
  ['typing', 'subscription($id: ID!) { typing(sessionId: $id) { userId } }'],
];

describe.each(testedProviders())('ids that cannot exist on %s', (provider) => {
  const chat = useChatServer(provider);
  const rest = useRestClient(chat);
  const alice = uniqueUser('alice');
  let sessionId = '';
  let before = '';

  /** Subscribes over a fresh WebSocket (closed again after: users have a connection limit) and returns the errors as JSON. */
  const subscriptionErrors = async (query: string, variables: Record<string, unknown>): Promise<string> => {
    const ws = connectWs(chat.server.wsUrl, { authorization: `Bearer ${await chat.server.token(alice)}` });
    try {
      const sub = subscribe(ws.client, query, variables);
      await sub.completed;
      return JSON.stringify(sub.errors);
    } finally {
      await ws.dispose();
    }
  };

  beforeAll(async () => {
    sessionId = await chat.createSession(alice);
    await chat.send(alice, sessionId, { content: 'kept', metadata: { k: 1 } });
    before = await storedState(chat, alice, sessionId);
  });

  describe.each(UNUSABLE_IDS)('an id with %s', (_name, id) => {
    it.each(ID_OPERATIONS)('answers NOT_FOUND from %s, for users and for services', async (_operation, query) => {
      for (const service of [false, true]) {
        const token = await chat.server.token(alice, { service });
        expectCodedError(await graphql(chat.server.graphqlUrl, query, { id }, { token }), 'NOT_FOUND', /was not found$/);
      }
    });

    it.each(SUBSCRIPTIONS)('answers NOT_FOUND when subscribing to %s over a WebSocket', async (_operation, query) => {
      expect(await subscriptionErrors(query, { id })).toContain('"code":"NOT_FOUND"');
    });

    it('answers NOT_FOUND for a replay `after` such a message id', async () => {
      const query = 'subscription($s: ID!, $a: ID) { messageReceived(sessionId: $s, after: $a) { id } }';
      expect(await subscriptionErrors(query, { s: sessionId, a: id })).toContain('"code":"NOT_FOUND"');
    });

    it('answers UNAUTHENTICATED for a signed token with it as `sub`', async () => {
      const token = await chat.server.token(id);
      const response = await graphql(chat.server.graphqlUrl, '{ sessions { edges { cursor } } }', {}, { token });
      expectCodedError(response, 'UNAUTHENTICATED', /"sub"/);
      expectCodedError(
        await graphql(chat.server.graphqlUrl, 'mutation { createSession(input: {}) { id } }', {}, { token }),
        'UNAUTHENTICATED',
      );
      expectRestError(await rest.call('GET', `/chat/sessions/${sessionId}/messages`, { token }), 401, /"sub"/);

      const socket = await openRawSocket(chat.server.wsUrl);
      socket.send({ type: 'connection_init', payload: { token } });
      expect((await socket.closed).code).toBe(4403);
    });
  });

  it.each([
    ['GET', '/chat/sessions/a%00b/messages'],
    ['POST', '/chat/sessions/a%00b/messages'],
    ['GET', '/chat/sessions/%00/messages/recent'],
    ['GET', '/chat/sessions/a%00/messages/count'],
    ['DELETE', '/chat/sessions/a%00b/messages'],
    ['PUT', '/chat/messages/a%00b'],
    ['DELETE', '/chat/messages/%00'],
  ])('answers 404 for REST %s %s', async (method, path) => {
    const body = method === 'POST' || method === 'PUT' ? { content: 'x' } : undefined;
    expectRestError(await rest.as(alice, method, path, { body }), 404, /was not found$/);
  });

  it('leaves the stored data unchanged and the server up', async () => {
    expect((await fetch(`${chat.server.url}/healthz`)).status).toBe(200);
    expect(await storedState(chat, alice, sessionId)).toBe(before);
  });
});
