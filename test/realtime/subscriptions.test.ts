import { afterEach, describe, expect, it } from 'vitest';
import { DeleteMessageDocument, ClearConversationDocument, UpdateMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf } from '../support/graphql-client.ts';
import { useRestClient } from '../support/rest-client.ts';
import { testedProviders } from '../support/server.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { connectWs, subscribe, type WsClient } from '../support/ws-client.ts';

const MESSAGE_RECEIVED = `subscription($sessionId: ID!, $after: ID, $afterSeq: Int) {
  messageReceived(sessionId: $sessionId, after: $after, afterSeq: $afterSeq) { id seq content authorId role }
}`;

interface Received {
  messageReceived: { id: string; seq: number; content: string; authorId: string };
}

describe.each(testedProviders())('subscriptions on %s', (provider) => {
  // The replay test sends 60 messages as one user: the rate limit is tested elsewhere.
  const chat = useChatServer(provider, { MESSAGES_PER_MINUTE: '0' });
  const rest = useRestClient(chat);
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  const connect = async (userId: string) => {
    const ws = connectWs(chat.server.wsUrl, { authorization: `Bearer ${await chat.server.token(userId)}` });
    clients.push(ws);
    return ws;
  };
  /** Waits until `count` distinct users have a subscription open on the session. */
  const whenSubscribed = (sessionId: string, count: number) => waitForPresence(chat.server, sessionId, count);

  it('delivers every new message to every participant in order, whoever sends it', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const subs = await Promise.all(
      [alice, bob].map(async (user) => subscribe<Received>((await connect(user)).client, MESSAGE_RECEIVED, { sessionId })),
    );
    await whenSubscribed(sessionId, 2);
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => chat.send(i % 2 ? alice : bob, sessionId, `m${i}`)));
    for (const sub of subs) {
      const events = await sub.waitFor(6);
      expect(events.map((e) => e.messageReceived.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    expect(subs[0]!.events).toEqual(subs[1]!.events);
  });

  it('replays what came after `after`, then continues live with no gap and no duplicate', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const sent: { id: string; seq: number }[] = [];
    for (let i = 1; i <= 30; i++) sent.push(await chat.send(alice, sessionId, `before ${i}`));

    const ws = await connect(alice);
    const sub = subscribe<Received>(ws.client, MESSAGE_RECEIVED, { sessionId, after: sent[9]!.id });
    // Messages keep arriving while the replay runs.
    const concurrent = (async () => {
      for (let i = 1; i <= 30; i++) await chat.send(alice, sessionId, `during ${i}`);
    })();
    await concurrent;
    const events = await sub.waitFor(50, 10_000);
    const seqs = events.map((e) => e.messageReceived.seq);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    // No late duplicate: a marker sent now is the very next event (events arrive in order).
    await chat.send(alice, sessionId, 'marker');
    const withMarker = await sub.waitFor(51);
    expect(withMarker.slice(50).map((e) => e.messageReceived.content)).toEqual(['marker']);

    const bySeq = subscribe<Received>(ws.client, MESSAGE_RECEIVED, { sessionId, afterSeq: 58 });
    expect((await bySeq.waitFor(3)).map((e) => e.messageReceived.seq)).toEqual([59, 60, 61]);
  });

  it('delivers a message sent over the REST shim to GraphQL subscribers', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const sub = subscribe<Received>((await connect(bob)).client, MESSAGE_RECEIVED, { sessionId });
    await whenSubscribed(sessionId, 1);
    const posted = await rest.as<{ id: string }>(alice, 'POST', `/chat/sessions/${sessionId}/messages`, { body: { content: 'via REST' } });
    expect(posted.status).toBe(201);
    const [event] = await sub.waitFor(1);
    expect(event!.messageReceived).toMatchObject({ id: posted.body.id, content: 'via REST', authorId: alice, seq: 1 });
  });

  it('answers NOT_FOUND for an `after` message that is not in the session', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const sub = subscribe((await connect(alice)).client, MESSAGE_RECEIVED, { sessionId, after: 'no-such-message' });
    await sub.completed;
    expect(JSON.stringify(sub.errors)).toContain('NOT_FOUND');
  });

  it('sends edits, deletions and clears to open clients', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const carol = uniqueUser('carol');
    const sessionId = await chat.createSession(alice, [bob, carol]);
    // One user per subscription, so presence of both users proves both streams are live.
    const updated = subscribe<{ messageUpdated: { id: string; content: string; editedAt: string } }>(
      (await connect(bob)).client,
      `subscription($s: ID!) { messageUpdated(sessionId: $s) { id content editedAt } }`,
      { s: sessionId },
    );
    const deleted = subscribe<{ messageDeleted: { messageId: string | null; seq: number | null; cleared: boolean; deletedCount: number } }>(
      (await connect(carol)).client,
      `subscription($s: ID!) { messageDeleted(sessionId: $s) { messageId seq cleared deletedCount } }`,
      { s: sessionId },
    );
    await whenSubscribed(sessionId, 2);
    const first = await chat.send(alice, sessionId, 'typo');
    await chat.send(alice, sessionId, 'second');
    dataOf(await chat.as(alice, UpdateMessageDocument, { id: first.id, input: { content: 'fixed' } }));
    dataOf(await chat.as(alice, DeleteMessageDocument, { id: first.id }));
    dataOf(await chat.as(alice, ClearConversationDocument, { sessionId }));

    const [edit] = await updated.waitFor(1);
    expect(edit!.messageUpdated).toMatchObject({ id: first.id, content: 'fixed' });
    const removals = await deleted.waitFor(2);
    expect(removals.map((r) => r.messageDeleted)).toEqual([
      { messageId: first.id, seq: 1, cleared: false, deletedCount: 1 },
      { messageId: null, seq: null, cleared: true, deletedCount: 1 },
    ]);
  });
});
