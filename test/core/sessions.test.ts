import { describe, expect, it } from 'vitest';
import {
  AddParticipantDocument,
  CreateSessionDocument,
  SessionDocument,
  SessionInfoDocument,
  SessionsDocument,
} from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf, errorCode, graphql } from '../support/graphql-client.ts';
import { testedProviders } from '../support/server.ts';

describe.each(testedProviders())('sessions on %s', (provider) => {
  const chat = useChatServer(provider);

  it('creates a session owned by the caller with the given participants', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const created = dataOf(await chat.as(alice, CreateSessionDocument, { input: { title: 'Plans', participantIds: [bob, alice] } }));
    expect(created.createSession).toMatchObject({ title: 'Plans', ownerId: alice, messageCount: 0 });
    expect(created.createSession.participants.map((p) => p.userId).sort()).toEqual([alice, bob].sort());
  });

  it('lets every participant read the session and answers NOT_FOUND to anyone else', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const id = await chat.createSession(alice, [bob]);
    expect(dataOf(await chat.as(bob, SessionDocument, { id })).session.id).toBe(id);

    const stranger = await chat.as(uniqueUser('mallory'), SessionDocument, { id });
    const missing = await chat.as(alice, SessionDocument, { id: '00000000-0000-4000-8000-000000000000' });
    expect(errorCode(stranger)).toBe('NOT_FOUND');
    expect(errorCode(missing)).toBe('NOT_FOUND');
    // Same wording shape for both, so an id cannot be probed.
    expect(stranger.errors?.[0]?.message.replace(id, 'ID')).toBe(
      missing.errors?.[0]?.message.replace('00000000-0000-4000-8000-000000000000', 'ID'),
    );
  });

  it('answers UNAUTHENTICATED without a token and accepts the token from the cookie', async () => {
    const alice = uniqueUser('alice');
    const id = await chat.createSession(alice);
    const anonymous = await graphql(chat.server.graphqlUrl, SessionDocument, { id });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.errors?.[0]?.extensions?.correlationId).toMatch(/.{8,}/);

    const token = await chat.server.token(alice);
    const viaCookie = await graphql(chat.server.graphqlUrl, SessionDocument, { id }, { headers: { cookie: `other=1; jwt=${token}` } });
    expect(dataOf(viaCookie).session.id).toBe(id);
  });

  it('lists my sessions newest activity first and pages them with cursors', async () => {
    const alice = uniqueUser('alice');
    const first = await chat.createSession(alice, [], 'one');
    const second = await chat.createSession(alice, [], 'two');
    const third = await chat.createSession(alice, [], 'three');
    await chat.send(alice, first, 'bumps "one" to the top');
    await chat.createSession(uniqueUser('other'), [], 'not mine');

    const page1 = dataOf(await chat.as(alice, SessionsDocument, { first: 2 })).sessions;
    expect(page1.edges.map((e) => e.node.id)).toEqual([first, third]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = dataOf(await chat.as(alice, SessionsDocument, { first: 2, after: page1.pageInfo.endCursor })).sessions;
    expect(page2.edges.map((e) => e.node.id)).toEqual([second]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });

  it('lets the owner add participants, idempotently, and refuses other participants', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const carol = uniqueUser('carol');
    const id = await chat.createSession(alice, [bob]);

    const added = dataOf(await chat.as(alice, AddParticipantDocument, { sessionId: id, userId: carol }));
    expect(added.addParticipant.participants.map((p) => p.userId)).toContain(carol);
    const again = dataOf(await chat.as(alice, AddParticipantDocument, { sessionId: id, userId: carol }));
    expect(again.addParticipant.participants).toHaveLength(3);

    expect(errorCode(await chat.as(bob, AddParticipantDocument, { sessionId: id, userId: uniqueUser('x') }))).toBe('FORBIDDEN');
    expect(errorCode(await chat.as(uniqueUser('mallory'), AddParticipantDocument, { sessionId: id, userId: 'm' }))).toBe('NOT_FOUND');
    expect(dataOf(await chat.as(carol, SessionDocument, { id })).session.id).toBe(id);
  });

  it('reports participants, message count and last activity in sessionInfo', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const id = await chat.createSession(alice, [bob], 'info');
    const sent = await chat.send(bob, id, 'hello');
    const info = dataOf(await chat.as(alice, SessionInfoDocument, { sessionId: id })).sessionInfo;
    expect(info.session).toEqual({ id, title: 'info' });
    expect(info.participants.map((p) => p.userId)).toEqual([alice, bob]);
    expect(info.messageCount).toBe(1);
    expect(sent.seq).toBe(1);
    expect(new Date(info.lastActivityAt).getTime()).toBeGreaterThan(0);
    expect(errorCode(await chat.as(uniqueUser('m'), SessionInfoDocument, { sessionId: id }))).toBe('NOT_FOUND');
  });

  it('lets a service token act on any session', async () => {
    const alice = uniqueUser('alice');
    const id = await chat.createSession(alice);
    const asService = await chat.as('assistant-bot', SessionDocument, { id }, { service: true });
    expect(dataOf(asService).session.id).toBe(id);
  });

  it('rejects invalid session input with BAD_USER_INPUT', async () => {
    const alice = uniqueUser('alice');
    const longTitle = await chat.as(alice, CreateSessionDocument, { input: { title: 'x'.repeat(201) } });
    expect(errorCode(longTitle)).toBe('BAD_USER_INPUT');
    const emptyId = await chat.as(alice, CreateSessionDocument, { input: { participantIds: [''] } });
    expect(errorCode(emptyId)).toBe('BAD_USER_INPUT');
  });
});
