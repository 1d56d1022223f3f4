/**
 * Metadata and content are stored exactly as sent, or refused with BAD_USER_INPUT and
 * nothing stored changes. Keys that are special in JavaScript (`__proto__`, `constructor`)
 * or to Prisma (`$type`) are ordinary keys; text neither database can keep (a lone
 * surrogate, U+0000) is refused the same way on both.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MessageByIdDocument, SendMessageDocument, UpdateMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { canonicalJson, expectCodedError, storedState } from '../support/coded-errors.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { useRestClient, type RestMessage } from '../support/rest-client.ts';
import { testedProviders } from '../support/server.ts';

/** Built from JSON text: an object literal would turn `__proto__` into a prototype, not a key. */
const SPECIAL_KEYS = JSON.parse(
  '{"__proto__":{"polluted":true},"constructor":"c","prototype":{"x":1},"toString":"t","hasOwnProperty":0,' +
    '"nested":{"__proto__":[1,{"__proto__":null}]}}',
) as Record<string, unknown>;
/** Prisma reads `$type` as a tag of its own wire format (prisma/orm#21454). */
const TYPE_KEYS = { tagged: { $type: 'Json', value: '{}' }, list: [{ $type: 'z' }], date: { $type: 'DateTime', value: 'x' } };

describe.each(testedProviders())('metadata and content kept exactly on %s', (provider) => {
  const chat = useChatServer(provider);
  const rest = useRestClient(chat);
  const alice = uniqueUser('alice');
  let sessionId = '';

  const send = (metadata: unknown, content = 'with metadata') =>
    chat.as(alice, SendMessageDocument, { sessionId, input: { content, metadata } });
  const readBack = async (id: string) => dataOf(await chat.as(alice, MessageByIdDocument, { id })).message.metadata;

  beforeAll(async () => {
    sessionId = await chat.createSession(alice);
    await chat.send(alice, sessionId, { content: 'before', metadata: { keep: 'me' } });
  });

  it('stores __proto__ and constructor keys sent as JSON variables and returns them', async () => {
    const sent = dataOf(await send(SPECIAL_KEYS)).sendMessage;
    expect(canonicalJson(sent.metadata)).toBe(canonicalJson(SPECIAL_KEYS));
    expect(Object.keys((await readBack(sent.id)) as object)).toContain('__proto__');
    expect(canonicalJson(await readBack(sent.id))).toBe(canonicalJson(SPECIAL_KEYS));
    // Nothing leaked into prototypes on the way.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stores objects with a $type key as objects, nested or at the top', async () => {
    for (const metadata of [TYPE_KEYS, { $type: 'top', nested: TYPE_KEYS }]) {
      const sent = dataOf(await send(metadata)).sendMessage;
      expect(canonicalJson(await readBack(sent.id))).toBe(canonicalJson(metadata));
    }
  });

  it('stores __proto__ and constructor keys written inline in the document', async () => {
    const token = await chat.server.token(alice);
    const response = await graphql<{ sendMessage: { id: string } }>(
      chat.server.graphqlUrl,
      `mutation($s: ID!) { sendMessage(sessionId: $s, input: { content: "inline", metadata: {
        __proto__: { a: 1 }, constructor: "c", prototype: [true], nested: { __proto__: "p" } } }) { id } }`,
      { s: sessionId },
      { token },
    );
    const expected = JSON.parse('{"__proto__":{"a":1},"constructor":"c","prototype":[true],"nested":{"__proto__":"p"}}');
    expect(canonicalJson(await readBack(dataOf(response).sendMessage.id))).toBe(canonicalJson(expected));
  });

  it('stores __proto__ keys sent through REST and when editing', async () => {
    const posted = await rest.as<RestMessage>(alice, 'POST', `/chat/sessions/${sessionId}/messages`, {
      rawBody: '{"content":"via REST","metadata":{"__proto__":{"a":1},"constructor":{"name":"x"}}}',
    });
    expect(posted.status).toBe(201);
    expect(canonicalJson(posted.body.metadata)).toBe('{"__proto__":{"a":1},"constructor":{"name":"x"}}');
    const listed = await rest.as<RestMessage[]>(alice, 'GET', `/chat/sessions/${sessionId}/messages?limit=200`);
    expect(canonicalJson(listed.body.find((m) => m.id === posted.body.id)!.metadata)).toBe(canonicalJson(posted.body.metadata));

    const edited = JSON.parse('{"__proto__":"edited","b":[{"__proto__":{}}]}');
    dataOf(await chat.as(alice, UpdateMessageDocument, { id: posted.body.id, input: { metadata: edited } }));
    expect(canonicalJson(await readBack(posted.body.id))).toBe(canonicalJson(edited));
  });

  it('returns the literal text \\u0000 (backslash, u, four zeros) exactly', async () => {
    const metadata = { note: '\\u0000', 'key\\u0000': 'C:\\new\\u0000dir', quote: '"\\"' };
    const sent = dataOf(await send(metadata, 'escaped \\u0000 text')).sendMessage;
    expect(sent.content).toBe('escaped \\u0000 text');
    expect(canonicalJson(await readBack(sent.id))).toBe(canonicalJson(metadata));
  });

  describe('refuses what cannot be stored exactly, and stores nothing', () => {
    let before = '';
    beforeAll(async () => {
      before = await storedState(chat, alice, sessionId);
    });

    it.each([
      ['a lone high surrogate in a value', { note: 'bad \ud800 text' }, /metadata .*not valid Unicode/],
      ['a lone low surrogate in a nested value', { a: { b: ['\udc00'] } }, /metadata .*not valid Unicode/],
      ['a lone surrogate in a key', { '\ud800key': 1 }, /metadata has a key .*not valid Unicode/],
      ['a NUL character in a value', { note: 'a\u0000b' }, /metadata .*NUL character/],
      ['a NUL character in a key', { 'k\u0000': 'v' }, /metadata has a key .*NUL character/],
    ])('refuses metadata with %s', async (_name, metadata, message) => {
      expectCodedError(await send(metadata), 'BAD_USER_INPUT', message);
      expect(await storedState(chat, alice, sessionId)).toBe(before);
    });

    it('refuses a number too large to keep (1e400) in an inline document', async () => {
      const token = await chat.server.token(alice);
      const response = await graphql(
        chat.server.graphqlUrl,
        `mutation($s: ID!) { sendMessage(sessionId: $s, input: { content: "x", metadata: { n: 1e400 } }) { id } }`,
        { s: sessionId },
        { token },
      );
      expectCodedError(response, 'BAD_USER_INPUT', /not finite/);
      expect(await storedState(chat, alice, sessionId)).toBe(before);
    });

    it.each([
      ['a lone high surrogate', 'bad \ud800 text'],
      ['a lone low surrogate', '\udc00'],
      ['a NUL character', 'a\u0000b'],
    ])('refuses content with %s, when sending and when editing', async (_name, content) => {
      expectCodedError(await send(null, content), 'BAD_USER_INPUT', /content/);
      const [first] = JSON.parse(before).messages as { id: string }[];
      expectCodedError(await chat.as(alice, UpdateMessageDocument, { id: first!.id, input: { content } }), 'BAD_USER_INPUT');
      expectCodedError(
        await chat.as(alice, UpdateMessageDocument, { id: first!.id, input: { metadata: { v: content } } }),
        'BAD_USER_INPUT',
      );
      expect(await storedState(chat, alice, sessionId)).toBe(before);
    });

    it('refuses the same through REST with 400', async () => {
      const response = await rest.as<{ message: string }>(alice, 'POST', `/chat/sessions/${sessionId}/messages`, {
        rawBody: '{"content":"x","metadata":{"k":"\\ud800"}}',
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/not valid Unicode/);
      expect(await storedState(chat, alice, sessionId)).toBe(before);
    });
  });
});
