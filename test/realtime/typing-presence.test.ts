import { afterEach, describe, expect, it } from 'vitest';
import { SessionInfoDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf } from '../support/graphql-client.ts';
import { connectWs, eventually, subscribe, type WsClient } from '../support/ws-client.ts';

const TYPING = `subscription($s: ID!) { typing(sessionId: $s) { sessionId userId isTyping } }`;
const SET_TYPING = `mutation($s: ID!, $t: Boolean!) { setTyping(sessionId: $s, isTyping: $t) }`;

interface TypingData {
  typing: { sessionId: string; userId: string; isTyping: boolean };
}

describe('typing and presence', () => {
  const chat = useChatServer('sqlite', { TYPING_TIMEOUT_MS: '400', TYPING_THROTTLE_MS: '200' });
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  const connect = async (userId: string) => {
    const ws = connectWs(chat.server.wsUrl, { token: await chat.server.token(userId) });
    clients.push(ws);
    return ws;
  };
  const connectedIds = async (sessionId: string, asUser: string) => {
    const response = await chat.as<{ sessionInfo: { connectedUserIds: string[] } }, { sessionId: string }>(
      asUser,
      `query($sessionId: ID!) { sessionInfo(sessionId: $sessionId) { connectedUserIds } }`,
      { sessionId },
    );
    return dataOf(response).sessionInfo.connectedUserIds;
  };

  it('shows typing to the others, not to the typist, and never stores it', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const aliceSub = subscribe<TypingData>((await connect(alice)).client, TYPING, { s: sessionId });
    const bobSub = subscribe<TypingData>((await connect(bob)).client, TYPING, { s: sessionId });
    await eventually(async () => (await connectedIds(sessionId, alice)).length === 2);

    expect(dataOf(await chat.as(alice, SET_TYPING, { s: sessionId, t: true }))).toEqual({ setTyping: true });
    const [shown] = await bobSub.waitFor(1);
    expect(shown!.typing).toEqual({ sessionId, userId: alice, isTyping: true });
    dataOf(await chat.as(alice, SET_TYPING, { s: sessionId, t: false }));
    expect((await bobSub.waitFor(2))[1]!.typing.isTyping).toBe(false);
    expect(aliceSub.events).toEqual([]);
    expect(dataOf(await chat.as(alice, SessionInfoDocument, { sessionId })).sessionInfo.messageCount).toBe(0);
  });

  it('applies one user’s setTyping calls in the order they were sent, even in the same tick', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const aliceWs = await connect(alice);
    const bobWs = await connect(bob);
    for (let round = 0; round < 8; round++) {
      const sessionId = await chat.createSession(alice, [bob]);
      const bobSub = subscribe<TypingData>(bobWs.client, TYPING, { s: sessionId });
      await eventually(async () => (await connectedIds(sessionId, alice)).includes(bob), 5000, 'bob never subscribed');
      const answers = (['start', 'stop'] as const).map(
        (step) =>
          new Promise<unknown>((resolve, reject) => {
            let answer: unknown;
            aliceWs.client.subscribe(
              { query: SET_TYPING, variables: { s: sessionId, t: step === 'start' } },
              { next: (result) => (answer = result.errors ?? result.data?.setTyping), error: reject, complete: () => resolve(answer) },
            );
          }),
      );
      expect(await Promise.all(answers), `round ${round}`).toEqual([true, true]);
      const events = await bobSub.waitFor(2);
      expect(events.map((event) => event.typing.isTyping)).toEqual([true, false]);
    }
  });

  it('throttles renewals and expires an isTyping: true that is not renewed', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const bobSub = subscribe<TypingData>((await connect(bob)).client, TYPING, { s: sessionId });
    await eventually(async () => (await connectedIds(sessionId, bob)).includes(bob));

    // All at once, so they land within one throttle window however slow each request is.
    const answers = await Promise.all(
      Array.from(
        { length: 5 },
        async () =>
          dataOf(await chat.as<{ setTyping: boolean }, { s: string; t: boolean }>(alice, SET_TYPING, { s: sessionId, t: true })).setTyping,
      ),
    );
    expect(answers.filter((a) => a === true).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a === false).length).toBeGreaterThan(0);
    const events = await bobSub.waitFor(2, 3000);
    expect(events.at(-1)!.typing).toEqual({ sessionId, userId: alice, isTyping: false });
    expect(chat.server.app.realtime.typing.isTyping(sessionId, alice)).toBe(false);
  });

  it('refuses typing in a session the user is not in', async () => {
    const sessionId = await chat.createSession(uniqueUser('owner'));
    const response = await chat.as(uniqueUser('mallory'), SET_TYPING, { s: sessionId, t: true });
    expect(response.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists connected users while they are subscribed and drops them on unsubscribe or disconnect', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    expect(await connectedIds(sessionId, alice)).toEqual([]);

    const aliceWs = await connect(alice);
    const aliceSub = subscribe(aliceWs.client, TYPING, { s: sessionId });
    const bobWs = await connect(bob);
    subscribe(bobWs.client, TYPING, { s: sessionId });
    await eventually(async () => (await connectedIds(sessionId, alice)).length === 2);
    expect((await connectedIds(sessionId, alice)).sort()).toEqual([alice, bob].sort());

    aliceSub.unsubscribe();
    await eventually(async () => JSON.stringify(await connectedIds(sessionId, bob)) === JSON.stringify([bob]));
    await bobWs.dispose();
    await eventually(async () => (await connectedIds(sessionId, alice)).length === 0);
  });

  it('releases subscriptions, presence and typing state when a socket disconnects', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const ws = await connect(alice);
    subscribe(ws.client, TYPING, { s: sessionId });
    subscribe(ws.client, `subscription($s: ID!) { messageReceived(sessionId: $s) { seq } }`, { s: sessionId });
    await eventually(async () => (await chat.server.app.realtime.presence.connectedUsers(sessionId)).length === 1);
    const channelsBefore = chat.server.app.realtime.hub.channelCount;
    await ws.dispose();
    await eventually(async () => (await chat.server.app.realtime.presence.connectedUsers(sessionId)).length === 0);
    await eventually(() => chat.server.app.realtime.hub.channelCount === channelsBefore - 1);
  });
});

describe('typing floods', () => {
  const chat = useChatServer('sqlite', { TYPING_EVENTS_PER_10S: '5', TYPING_THROTTLE_MS: '0' });

  it('answers RATE_LIMITED past TYPING_EVENTS_PER_10S, and always lets the user stop typing', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    for (let i = 0; i < 5; i++) expect(dataOf(await chat.as(alice, SET_TYPING, { s: sessionId, t: true }))).toEqual({ setTyping: true });
    const flooded = await chat.as(alice, SET_TYPING, { s: sessionId, t: true });
    expect(flooded.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 5 });
    expect(flooded.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(dataOf(await chat.as(alice, SET_TYPING, { s: sessionId, t: false }))).toEqual({ setTyping: true });
  });
});
