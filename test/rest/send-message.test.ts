import { describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { expectRestError, useRestClient, type RestMessage } from '../support/rest-client.ts';
import { testedProviders } from '../support/server.ts';

const messagesOf = (sessionId: string) => `/chat/sessions/${sessionId}/messages`;

describe.each(testedProviders())('POST /chat/sessions/:sessionId/messages on %s', (provider) => {
  const chat = useChatServer(provider, { MAX_MESSAGE_LENGTH: '100' });
  const rest = useRestClient(chat);

  it('stores the message and answers 201 with the legacy shape first', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const sent = await rest.as<RestMessage>(alice, 'POST', messagesOf(sessionId), {
      body: { content: 'hello', metadata: { source: 'legacy', tags: ['a'] } },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual({
      id: expect.any(String),
      sessionId,
      role: 'USER',
      content: 'hello',
      metadata: { source: 'legacy', tags: ['a'] },
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      seq: 1,
      authorId: alice,
      editedAt: null,
      clientMessageId: null,
      status: 'COMPLETE',
      finishReason: null,
    });
    expect(Object.keys(sent.body).slice(0, 6)).toEqual(['id', 'sessionId', 'role', 'content', 'metadata', 'timestamp']);
    expect(sent.headers.get('content-type')).toMatch(/^application\/json/);
    expect(sent.headers.get('x-correlation-id')).toMatch(/.{8,}/);
  });

  it('answers a retried Idempotency-Key with the original message (201) and stores nothing new', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const headers = { 'idempotency-key': 'retry-key-1' };
    const first = await rest.as<RestMessage>(alice, 'POST', messagesOf(sessionId), { body: { content: 'once' }, headers });
    const retry = await rest.as<RestMessage>(alice, 'POST', messagesOf(sessionId), { body: { content: 'once' }, headers });
    const viaBody = await rest.as<RestMessage>(alice, 'POST', messagesOf(sessionId), {
      body: { content: 'once', clientMessageId: 'retry-key-1' },
    });
    expect([first.status, retry.status, viaBody.status]).toEqual([201, 201, 201]);
    expect(retry.body).toEqual(first.body);
    expect(viaBody.body).toEqual(first.body);
    expect(first.body.clientMessageId).toBe('retry-key-1');

    const count = await rest.as(alice, 'GET', `${messagesOf(sessionId)}/count`);
    expect(count.body).toEqual({ count: 1 });
  });

  it('answers 400 when the Idempotency-Key is malformed or disagrees with clientMessageId', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const conflicting = await rest.as(alice, 'POST', messagesOf(sessionId), {
      body: { content: 'x', clientMessageId: 'a-key-1' },
      headers: { 'idempotency-key': 'b-key-2' },
    });
    expectRestError(conflicting, 400, /Idempotency-Key/);
    const spaced = await rest.as(alice, 'POST', messagesOf(sessionId), {
      body: { content: 'x' },
      headers: { 'idempotency-key': 'has space' },
    });
    expectRestError(spaced, 400, /printable ASCII/);
  });

  it('answers 400 for bad JSON, a body that is not an object, and missing, non-string or empty content', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const send = (options: Parameters<typeof rest.as>[3]) => rest.as(alice, 'POST', messagesOf(sessionId), options);

    expectRestError(await send({ rawBody: '{"content": "unterminated' }), 400, 'Request body is not valid JSON');
    expectRestError(await send({ rawBody: '["hello"]' }), 400, 'Request body must be a JSON object');
    expectRestError(await send({}), 400, 'content is required and must be a string');
    expectRestError(await send({ body: { metadata: {} } }), 400, 'content is required and must be a string');
    expectRestError(await send({ body: { content: 42 } }), 400, 'content must be a string');
    expectRestError(await send({ body: { content: '   ' } }), 400, /must not be empty/);
    expect((await rest.as(alice, 'GET', `${messagesOf(sessionId)}/count`)).body).toEqual({ count: 0 });
  });

  it('answers 400 for content over MAX_MESSAGE_LENGTH and for metadata that is not an object', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const long = await rest.as(alice, 'POST', messagesOf(sessionId), { body: { content: 'x'.repeat(101) } });
    expectRestError(long, 400, 'content is 101 characters long; the limit is 100');
    const atLimit = await rest.as(alice, 'POST', messagesOf(sessionId), { body: { content: 'x'.repeat(100) } });
    expect(atLimit.status).toBe(201);
    const listMetadata = await rest.as(alice, 'POST', messagesOf(sessionId), { body: { content: 'x', metadata: [1] } });
    expectRestError(listMetadata, 400, 'metadata must be a JSON object');
  });

  it('answers 413 in the error format for a body over MAX_BODY_BYTES (256 KiB, shared with GraphQL)', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const huge = JSON.stringify({ content: 'x', padding: 'y'.repeat(256 * 1024) });
    expectRestError(await rest.as(alice, 'POST', messagesOf(sessionId), { rawBody: huge }), 413, /larger than 262144 bytes/);
  });

  it('answers 401 without a token, with an invalid one and with an expired one', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const body = { content: 'hi' };
    expectRestError(await rest.call('POST', messagesOf(sessionId), { body }), 401);
    expectRestError(await rest.call('POST', messagesOf(sessionId), { body, token: 'not.a.jwt' }), 401, /Token/);
    const expired = await chat.server.token(alice, { expiresIn: -60 });
    expectRestError(await rest.call('POST', messagesOf(sessionId), { body, token: expired }), 401, 'Token has expired');
  });

  it('checks the token before validating input, after parsing JSON, like NestJS guards and pipes', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    expectRestError(await rest.call('POST', messagesOf(sessionId), { body: { metadata: {} } }), 401);
    expectRestError(await rest.call('GET', `${messagesOf(sessionId)}?limit=abc`, { token: 'not.a.jwt' }), 401, /Token/);
    expectRestError(await rest.call('POST', messagesOf(sessionId), { rawBody: '{"content":' }), 400);
    expectRestError(await rest.as(alice, 'POST', messagesOf(sessionId), { body: { metadata: {} } }), 400);
  });

  it("answers 404 alike for an unknown session and for someone else's", async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const missingId = '00000000-0000-4000-8000-000000000000';
    const stranger = await rest.as(uniqueUser('mallory'), 'POST', messagesOf(sessionId), { body: { content: 'hi' } });
    const missing = await rest.as(alice, 'POST', messagesOf(missingId), { body: { content: 'hi' } });
    expectRestError(stranger, 404, `Session "${sessionId}" was not found`);
    expectRestError(missing, 404, `Session "${missingId}" was not found`);
  });

  it('passes a body role through: a service token may send ASSISTANT, a user token gets 403', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const asUser = await rest.as(alice, 'POST', messagesOf(sessionId), { body: { content: 'hi', role: 'assistant' } });
    expectRestError(asUser, 403, /service token/);

    const serviceToken = await chat.server.token('assistant-bot', { service: true });
    const asService = await rest.call<RestMessage>('POST', messagesOf(sessionId), {
      token: serviceToken,
      body: { content: 'Hello, I am the assistant', role: 'assistant' },
    });
    expect(asService.status).toBe(201);
    expect(asService.body).toMatchObject({ role: 'ASSISTANT', authorId: 'assistant-bot' });
  });
});
