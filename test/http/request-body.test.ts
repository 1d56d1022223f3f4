/**
 * Request bodies at the HTTP edge: one limit (MAX_BODY_BYTES) for GraphQL and REST (413
 * above it, the normal validation below it), and invalid UTF-8 refused with 400 BAD_REQUEST
 * instead of being decoded with U+FFFD replacements and stored.
 */
import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MessagesDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf } from '../support/graphql-client.ts';
import { expectNoInternals } from '../support/leak-check.ts';
import { expectRestError, useRestClient } from '../support/rest-client.ts';
import { testedProviders } from '../support/server.ts';
import { mintToken } from '../support/tokens.ts';

const MAX_BODY_BYTES = 262_144;
const messagesOf = (sessionId: string) => `/chat/sessions/${sessionId}/messages`;

/** A JSON text whose `content` string holds the raw bytes `bad` (not valid UTF-8) between two words. */
function jsonWithBytes(prefix: string, bad: number[], suffix: string): Buffer {
  return Buffer.concat([Buffer.from(prefix), Buffer.from(bad), Buffer.from(suffix)]);
}

const invalidSequences: [string, number[]][] = [
  ['a lone continuation byte', [0x80]],
  ['a truncated two-byte sequence', [0xc3]],
  ['an overlong encoding of "/"', [0xc0, 0xaf]],
  ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ['a byte that never occurs (0xFF)', [0xff]],
];

describe.each(testedProviders())('request bodies on %s', (provider) => {
  const chat = useChatServer(provider);
  const rest = useRestClient(chat);

  async function postGraphQL(userId: string, body: Buffer | string) {
    const response = await fetch(chat.server.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${await mintToken(userId)}`,
      },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await response.text();
    expectNoInternals(text);
    return {
      status: response.status,
      body: JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] },
      headers: response.headers,
    };
  }

  const stored = async (userId: string, sessionId: string) =>
    dataOf(await chat.as(userId, MessagesDocument, { sessionId, limit: 200 })).messages.map((message) => message.content);

  it.each(invalidSequences)('refuses %s in a GraphQL JSON body with 400 BAD_REQUEST and stores nothing', async (_name, bytes) => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const query = JSON.stringify(print(SendMessageDocument));
    const body = jsonWithBytes(`{"query":${query},"variables":{"sessionId":"${sessionId}","input":{"content":"before`, bytes, 'after"}}}');
    const response = await postGraphQL(alice, body);
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({
      message: 'Request body is not valid UTF-8',
      extensions: { code: 'BAD_REQUEST', correlationId: response.headers.get('x-correlation-id') },
    });
    expect(await stored(alice, sessionId)).toEqual([]);
  });

  it.each(invalidSequences)('refuses %s in a REST JSON body with 400 BAD_REQUEST and stores nothing', async (_name, bytes) => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const response = await fetch(`${chat.server.url}${messagesOf(sessionId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintToken(alice)}` },
      body: new Uint8Array(jsonWithBytes('{"content":"before', bytes, 'after"}')),
    });
    const text = await response.text();
    expectNoInternals(text);
    expectRestError({ status: response.status, body: JSON.parse(text), headers: response.headers }, 400, 'Request body is not valid UTF-8');
    expect(JSON.parse(text)).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await stored(alice, sessionId)).toEqual([]);
  });

  it('stores valid multi-byte UTF-8 verbatim through both transports', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const text = 'é ß 中文 🎉 \u{10FFFF}';
    const query = JSON.stringify(print(SendMessageDocument));
    const viaGraphQL = await postGraphQL(
      alice,
      Buffer.from(`{"query":${query},"variables":{"sessionId":"${sessionId}","input":{"content":"${text}"}}}`),
    );
    expect(viaGraphQL.body.errors).toBeUndefined();
    expect((await rest.as(alice, 'POST', messagesOf(sessionId), { body: { content: text } })).status).toBe(201);
    expect(await stored(alice, sessionId)).toEqual([text, text]);
  });

  it('answers 413 above MAX_BODY_BYTES on REST and GraphQL alike', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const content = 'x'.repeat(300_000);
    const viaRest = await rest.as(alice, 'POST', messagesOf(sessionId), { body: { content } });
    expectRestError(viaRest, 413, `Request body is larger than ${MAX_BODY_BYTES} bytes (MAX_BODY_BYTES)`);
    expect(viaRest.body).toMatchObject({ code: 'REQUEST_ENTITY_TOO_LARGE' });
    const query = print(SendMessageDocument);
    const viaGraphQL = await postGraphQL(alice, JSON.stringify({ query, variables: { sessionId, input: { content } } }));
    expect(viaGraphQL.status).toBe(413);
    expect(viaGraphQL.body.errors?.[0]).toMatchObject({
      message: `Request body is larger than ${MAX_BODY_BYTES} bytes (MAX_BODY_BYTES)`,
      extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' },
    });
    expect(await stored(alice, sessionId)).toEqual([]);
  });

  it('validates a body just under MAX_BODY_BYTES normally: the content length error, not a 500', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const content = 'x'.repeat(MAX_BODY_BYTES - 100);
    const viaRest = await rest.as(alice, 'POST', messagesOf(sessionId), { body: { content } });
    expectRestError(viaRest, 400, `content is ${content.length} characters long; the limit is 10000`);
    expect(viaRest.body).toMatchObject({ code: 'BAD_USER_INPUT' });
    const query = print(SendMessageDocument);
    const variables = { sessionId, input: { content: content.slice(0, MAX_BODY_BYTES - 2000) } };
    const viaGraphQL = await postGraphQL(alice, JSON.stringify({ query, variables }));
    expect(viaGraphQL.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(await stored(alice, sessionId)).toEqual([]);
  });

  it.each([
    ['variables', '%7B'],
    ['variables', '%5B1%5D'],
    ['extensions', 'nope'],
  ])('answers a GET whose %s parameter is not a JSON object with 400 BAD_REQUEST, not a masked 500', async (name, value) => {
    const response = await fetch(`${chat.server.graphqlUrl}?query=%7B__typename%7D&${name}=${value}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    const text = await response.text();
    expectNoInternals(text);
    expect(response.status).toBe(400);
    const body = JSON.parse(text) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', correlationId: expect.any(String) });
    expect(body.errors[0]?.message).toMatch(new RegExp(`"?${name}"?.*(JSON|object)`));
  });
});
