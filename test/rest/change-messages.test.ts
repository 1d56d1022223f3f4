import { describe, expect, it } from 'vitest';
import { MessageByIdDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf, errorCode } from '../support/graphql-client.ts';
import { expectRestError, useRestClient, type RestMessage } from '../support/rest-client.ts';
import { testedProviders } from '../support/server.ts';

const missingId = '00000000-0000-4000-8000-000000000000';

describe.each(testedProviders())('PUT and DELETE message routes on %s', (provider) => {
  const chat = useChatServer(provider, { MAX_MESSAGE_LENGTH: '100' });
  const rest = useRestClient(chat);

  /** alice owns a session with bob in it; alice and bob have each sent one message. */
  async function conversation() {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const aliceMessage = await chat.send(alice, sessionId, { content: 'from alice', metadata: { draft: true } });
    const bobMessage = await chat.send(bob, sessionId, 'from bob');
    return { alice, bob, sessionId, aliceMessageId: aliceMessage.id, bobMessageId: bobMessage.id };
  }
  const countOf = async (userId: string, sessionId: string) =>
    (await rest.as<{ count: number }>(userId, 'GET', `/chat/sessions/${sessionId}/messages/count`)).body.count;

  it('edits content and metadata and answers 200 with the edited message', async () => {
    const { alice, sessionId, aliceMessageId } = await conversation();
    const edited = await rest.as<RestMessage>(alice, 'PUT', `/chat/messages/${aliceMessageId}`, {
      body: { content: 'edited', metadata: { draft: false } },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: aliceMessageId, sessionId, content: 'edited', metadata: { draft: false }, seq: 1 });
    expect(edited.body.editedAt).toEqual(expect.any(String));

    const contentOnly = await rest.as<RestMessage>(alice, 'PUT', `/chat/messages/${aliceMessageId}`, { body: { content: 'again' } });
    expect(contentOnly.body).toMatchObject({ content: 'again', metadata: { draft: false } });
    const cleared = await rest.as<RestMessage>(alice, 'PUT', `/chat/messages/${aliceMessageId}`, { body: { metadata: null } });
    expect(cleared.body).toMatchObject({ content: 'again', metadata: null });
  });

  it('answers 400 for an edit with nothing to change, bad JSON, non-string or too long content', async () => {
    const { alice, aliceMessageId } = await conversation();
    const path = `/chat/messages/${aliceMessageId}`;
    expectRestError(await rest.as(alice, 'PUT', path, { body: {} }), 400, /Nothing to update/);
    expectRestError(await rest.as(alice, 'PUT', path, { rawBody: 'content=x' }), 400, 'Request body is not valid JSON');
    expectRestError(await rest.as(alice, 'PUT', path, { body: { content: ['x'] } }), 400, 'content must be a string');
    expectRestError(await rest.as(alice, 'PUT', path, { body: { content: 'y'.repeat(101) } }), 400, /the limit is 100/);
    expectRestError(await rest.as(alice, 'PUT', path, { body: { content: '' } }), 400, /must not be empty/);
  });

  it("answers 403 for editing or deleting someone else's message in my session", async () => {
    const { bob, sessionId, aliceMessageId } = await conversation();
    expectRestError(
      await rest.as(bob, 'PUT', `/chat/messages/${aliceMessageId}`, { body: { content: 'hijacked' } }),
      403,
      'Only the author of a message may change or delete it',
    );
    expectRestError(await rest.as(bob, 'DELETE', `/chat/messages/${aliceMessageId}`), 403, /Only the author/);
    expect(await countOf(bob, sessionId)).toBe(2);
  });

  it.each(['PUT', 'DELETE'])('%s answers 404 for an unknown message and for a message of a session I am not in', async (method) => {
    const { aliceMessageId } = await conversation();
    const mallory = uniqueUser('mallory');
    const body = method === 'PUT' ? { body: { content: 'x' } } : {};
    expectRestError(
      await rest.as(mallory, method, `/chat/messages/${aliceMessageId}`, body),
      404,
      `Message "${aliceMessageId}" was not found`,
    );
    expectRestError(await rest.as(mallory, method, `/chat/messages/${missingId}`, body), 404, `Message "${missingId}" was not found`);
  });

  it.each([
    ['PUT', '/chat/messages/x'],
    ['DELETE', '/chat/messages/x'],
    ['DELETE', '/chat/sessions/x/messages'],
  ])('%s %s answers 401 without a valid token', async (method, path) => {
    const { aliceMessageId, sessionId } = await conversation();
    const real = path.replace('messages/x', `messages/${aliceMessageId}`).replace('sessions/x', `sessions/${sessionId}`);
    const body = method === 'PUT' ? { content: 'x' } : undefined;
    expectRestError(await rest.call(method, real, { body }), 401);
    expectRestError(await rest.call(method, real, { body, token: 'a.b.c' }), 401);
  });

  it('deletes my message, answers { deleted: true, id }, and 404 the second time', async () => {
    const { alice, bob, sessionId, aliceMessageId } = await conversation();
    const deleted = await rest.as(alice, 'DELETE', `/chat/messages/${aliceMessageId}`);
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true, id: aliceMessageId } });
    expect(await countOf(bob, sessionId)).toBe(1);
    expect(errorCode(await chat.as(alice, MessageByIdDocument, { id: aliceMessageId }))).toBe('NOT_FOUND');
    expectRestError(await rest.as(alice, 'DELETE', `/chat/messages/${aliceMessageId}`), 404);
  });

  it('clears the conversation for its owner as { deletedCount }', async () => {
    const { alice, bob, sessionId, bobMessageId } = await conversation();
    expectRestError(await rest.as(bob, 'DELETE', `/chat/sessions/${sessionId}/messages`), 403, 'Only the owner of the session may do this');
    expect(dataOf(await chat.as(bob, MessageByIdDocument, { id: bobMessageId })).message.id).toBe(bobMessageId);

    const cleared = await rest.as(alice, 'DELETE', `/chat/sessions/${sessionId}/messages`);
    expect(cleared).toMatchObject({ status: 200, body: { deletedCount: 2 } });
    expect(await countOf(alice, sessionId)).toBe(0);
    const again = await rest.as(alice, 'DELETE', `/chat/sessions/${sessionId}/messages`);
    expect(again.body).toEqual({ deletedCount: 0 });
  });

  it("answers 404 for clearing an unknown session or someone else's", async () => {
    const { sessionId } = await conversation();
    expectRestError(
      await rest.as(uniqueUser('mallory'), 'DELETE', `/chat/sessions/${sessionId}/messages`),
      404,
      /Session ".+" was not found/,
    );
    expectRestError(await rest.as(uniqueUser('alice'), 'DELETE', `/chat/sessions/${missingId}/messages`), 404, /was not found/);
  });
});
