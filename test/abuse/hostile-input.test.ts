/**
 * The hostile-input battery: every case gets a clear error with a code and a correlation
 * id, the server stays up, and the data written before the battery reads back unchanged.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MessageByIdDocument,
  MessagesDocument,
  SessionDocument,
  SendMessageDocument,
  UpdateMessageDocument,
} from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf, graphql, type GraphQLResponse } from '../support/graphql-client.ts';
import { openRawSocket } from '../support/raw-ws.ts';
import { useRestClient } from '../support/rest-client.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';

const key = new TextEncoder().encode(TEST_JWT_SECRET);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectClearError(response: GraphQLResponse<unknown>, code: string): void {
  expect(response.errors?.length, JSON.stringify(response.errors)).toBeGreaterThan(0);
  const [error] = response.errors!;
  expect(error!.extensions?.code).toBe(code);
  expect(error!.extensions?.correlationId).toMatch(/^[\w.-]{8,}$/);
  expect(JSON.stringify(response.errors)).not.toMatch(/at .+\.(ts|js):\d+|prisma\.|SELECT |INSERT /i);
}

describe('hostile input battery', () => {
  const chat = useChatServer('sqlite', { MAX_MESSAGE_LENGTH: '100', TYPING_EVENTS_PER_10S: '10', TYPING_THROTTLE_MS: '0' });
  const rest = useRestClient(chat);
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  let sessionId = '';
  let otherSessionId = '';
  let bobMessageId = '';
  let before: unknown;

  const asAlice = async <T>(query: string, variables: Record<string, unknown> = {}) =>
    graphql<T>(chat.server.graphqlUrl, query, variables, { token: await mintToken(alice) });
  const readAll = async () => dataOf(await chat.as(alice, MessagesDocument, { sessionId, limit: 200 })).messages;

  beforeAll(async () => {
    sessionId = await chat.createSession(alice, [bob], 'battery');
    await chat.send(alice, sessionId, { content: 'hello', metadata: { n: 1 } });
    bobMessageId = (await chat.send(bob, sessionId, 'from bob')).id;
    await chat.send(alice, sessionId, 'third');
    otherSessionId = await chat.createSession(uniqueUser('stranger'));
    before = await readAll();
  });

  describe('JWT', () => {
    const send = (token: string) => graphql(chat.server.graphqlUrl, SendMessageDocument, { sessionId, input: { content: 'x' } }, { token });
    const cases: [string, () => Promise<string>][] = [
      ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: alice })}.`],
      [
        'RS256 token on an HS256-only server',
        async () => {
          const { privateKey } = await generateKeyPair('RS256');
          return new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject(alice).setExpirationTime('1h').sign(privateKey);
        },
      ],
      ['wrong key', () => mintToken(alice, { secret: 'x'.repeat(48) })],
      ['expired', () => mintToken(alice, { expiresIn: -1 })],
      ['not yet valid', () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(alice).setNotBefore('10m').sign(key)],
      ['garbage', async () => 'eyJ.garbage.token'],
      ['missing sub', () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key)],
      ['8 KiB of junk', async () => 'a'.repeat(9000)],
      [
        'tampered payload',
        async () => {
          const [header, , signature] = (await mintToken(bob)).split('.');
          return `${header}.${b64({ sub: alice, exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`;
        },
      ],
    ];
    it.each(cases)('refuses %s with UNAUTHENTICATED', async (_name, make) => {
      expectClearError(await send(await make()), 'UNAUTHENTICATED');
    });

    it('answers a valid token for someone else’s session with NOT_FOUND', async () => {
      expectClearError(await chat.as(alice, SessionDocument, { id: otherSessionId }), 'NOT_FOUND');
    });
  });

  describe('GraphQL documents', () => {
    const cases: [string, () => Promise<GraphQLResponse<unknown>>, string][] = [
      ['a syntax error', () => asAlice('{ sessions { edges '), 'GRAPHQL_PARSE_FAILED'],
      ['an unknown field', () => asAlice('{ sessions { nope } }'), 'GRAPHQL_VALIDATION_FAILED'],
      ['a wrong variable type', () => asAlice('query($id: ID!) { session(id: $id) { id } }', { id: { $gt: '' } }), 'BAD_USER_INPUT'],
      ['a missing required variable', () => asAlice('query($id: ID!) { session(id: $id) { id } }'), 'BAD_USER_INPUT'],
      [
        'deep nesting',
        () => asAlice(`{ message(id: "x") { ${'session { messages { edges { node { '.repeat(6)}id${' } } } }'.repeat(6)} } }`),
        'GRAPHQL_VALIDATION_FAILED',
      ],
      [
        'an alias flood',
        () => asAlice(`{ ${Array.from({ length: 200 }, (_, i) => `a${i}: messageCount(sessionId: "${sessionId}")`).join(' ')} }`),
        'GRAPHQL_VALIDATION_FAILED',
      ],
      [
        'a directive flood',
        () => asAlice(`{ sessions @include(if: true) ${'@skip(if: false) '.repeat(50)} { pageInfo { hasNextPage } } }`),
        'GRAPHQL_VALIDATION_FAILED',
      ],
      ['a token flood', () => asAlice(`{ sessions { pageInfo { ${'hasNextPage '.repeat(2000)} } } }`), 'GRAPHQL_VALIDATION_FAILED'],
    ];
    it.each(cases)('refuses %s', async (_name, run, code) => {
      expectClearError(await run(), code);
    });

    it('refuses a huge batch and an oversized body with 4xx and a JSON error', async () => {
      const token = await mintToken(alice);
      const post = (body: string) =>
        fetch(chat.server.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        });
      const batch = await post(JSON.stringify(Array.from({ length: 500 }, () => ({ query: '{ __typename }' }))));
      expect(batch.status).toBeGreaterThanOrEqual(400);
      expect(batch.status).toBeLessThan(500);
      const huge = await post(JSON.stringify({ query: `{ __typename } # ${'x'.repeat(400_000)}` }));
      expect(huge.status).toBe(413);
      expect(((await huge.json()) as { errors: unknown[] }).errors.length).toBe(1);
    });
  });

  describe('WebSocket', () => {
    const initialized = async () => {
      const socket = await openRawSocket(chat.server.wsUrl);
      socket.send({ type: 'connection_init', payload: { token: await mintToken(alice) } });
      await socket.next('connection_ack');
      return socket;
    };

    it.each([
      ['a malformed frame', '{"type":', 4400],
      ['an unknown message type', JSON.stringify({ type: 'hack' }), 4400],
      ['a subscribe without a query', JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 42 } }), 4400],
    ])('closes on %s with %s', async (_name, frame, code) => {
      const socket = await initialized();
      socket.send(frame);
      expect((await socket.closed).code).toBe(code);
    });

    it('closes on a binary frame, subscribe before connection_init, and duplicate ids', async () => {
      const binary = await initialized();
      binary.socket.send(Buffer.from([1, 2, 3]));
      expect((await binary.closed).code).toBe(4400);

      const early = await openRawSocket(chat.server.wsUrl);
      early.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
      expect((await early.closed).code).toBe(4401);

      const dup = await initialized();
      const sub = {
        id: 'd',
        type: 'subscribe',
        payload: { query: 'subscription($s: ID!) { typing(sessionId: $s) { userId } }', variables: { s: sessionId } },
      };
      dup.send(sub);
      dup.send(sub);
      expect((await dup.closed).code).toBe(4409);
    });

    it('closes on an oversized frame with 1009', async () => {
      const socket = await initialized();
      socket.send({ id: 'big', type: 'subscribe', payload: { query: `{ __typename } #${'x'.repeat(70_000)}` } });
      expect((await socket.closed).code).toBe(1009);
    });

    it('refuses deep nesting over the socket with the same limits as HTTP', async () => {
      const socket = await initialized();
      socket.send({
        id: 'deep',
        type: 'subscribe',
        payload: { query: `{ message(id: "x") { ${'session { messages { edges { node { '.repeat(6)}id${' } } } }'.repeat(6)} } }` },
      });
      const error = (await socket.next('error')) as { payload: { extensions: { code: string; correlationId: string } }[] };
      expect(error.payload[0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', correlationId: expect.any(String) });
      socket.socket.close();
    });

    it('answers a flood of typing events with RATE_LIMITED and keeps the socket open', async () => {
      const socket = await initialized();
      const query = `mutation($s: ID!) { setTyping(sessionId: $s, isTyping: true) }`;
      for (let i = 0; i < 15; i++) socket.send({ id: `t${i}`, type: 'subscribe', payload: { query, variables: { s: sessionId } } });
      const results = [];
      for (let i = 0; i < 15; i++)
        results.push((await socket.next('next')) as { payload: { errors?: { extensions: { code: string } }[] } });
      const limited = results.filter((r) => r.payload.errors?.[0]?.extensions.code === 'RATE_LIMITED');
      expect(limited.length).toBe(5);
      socket.send({ type: 'ping' });
      await socket.next('pong');
      socket.socket.close();
    });
  });

  describe('content', () => {
    const send = (content: string, user = alice) => chat.as(user, SendMessageDocument, { sessionId, input: { content } });
    it.each([
      ['one character past MAX_MESSAGE_LENGTH', 'x'.repeat(101)],
      ['empty', ''],
      ['only whitespace', ' \t\n\u00a0 '],
      ['a NUL byte', 'a\u0000b'],
      ['a lone high surrogate', 'bad \ud800 text'],
      ['a lone low surrogate', '\udc00'],
    ])('refuses %s with BAD_USER_INPUT', async (_name, content) => {
      expectClearError(await send(content), 'BAD_USER_INPUT');
    });

    it('stores exactly MAX_MESSAGE_LENGTH and hostile-looking text verbatim, then removes it again', async () => {
      const texts = [
        'x'.repeat(100),
        '\u202Eright-to-left\u202C and zero\u200Bwidth\u200D\uFEFF',
        '<img src=x onerror=alert(1)>',
        'Robert\'); DROP TABLE "ChatSession";--',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as literal text
        '{{7*7}} ${7*7} %s %n',
      ];
      for (const content of texts) {
        const sent = dataOf(await send(content)).sendMessage;
        expect(sent.content).toBe(content);
        expect(dataOf(await chat.as(alice, MessageByIdDocument, { id: sent.id })).message.content).toBe(content);
        await rest.as(alice, 'DELETE', `/chat/messages/${sent.id}`);
      }
    });
  });

  describe('metadata', () => {
    const send = (metadata: unknown) => chat.as(alice, SendMessageDocument, { sessionId, input: { content: 'meta', metadata } });
    it.each([
      ['an array', [1, 2, 3]],
      ['a string', 'text'],
      ['a number', 42],
      ['deep nesting', JSON.parse(`${'{"a":'.repeat(50)}1${'}'.repeat(50)}`)],
      ['a huge object', Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`key${i}`, 'value'.repeat(5)]))],
      ['a NUL inside a value', { note: 'a\u0000b' }],
    ])('refuses %s with BAD_USER_INPUT', async (_name, metadata) => {
      expectClearError(await send(metadata), 'BAD_USER_INPUT');
    });
  });

  describe('ids', () => {
    it.each([
      ['an unknown session', '00000000-0000-4000-8000-000000000000'],
      ['a malformed id', "../../etc/passwd' OR 1=1 --"],
      ['a 10 KB id', 'i'.repeat(10_000)],
    ])('answers NOT_FOUND for %s', async (_name, id) => {
      expectClearError(await chat.as(alice, SessionDocument, { id }), 'NOT_FOUND');
      expectClearError(await chat.as(alice, UpdateMessageDocument, { id, input: { content: 'x' } }), 'NOT_FOUND');
    });

    it('answers FORBIDDEN when editing another participant’s message and NOT_FOUND for a stranger', async () => {
      expectClearError(
        await chat.as(alice, UpdateMessageDocument, { id: bobMessageId, input: { content: 'edited by alice' } }),
        'FORBIDDEN',
      );
      expectClearError(
        await chat.as(uniqueUser('mallory'), UpdateMessageDocument, { id: bobMessageId, input: { content: 'x' } }),
        'NOT_FOUND',
      );
    });
  });

  describe('pagination', () => {
    it.each([
      ['a negative limit', { limit: -1 }],
      ['a zero limit', { limit: 0 }],
      ['a huge limit', { limit: 1_000_000 }],
      ['a negative offset', { offset: -5 }],
    ])('refuses %s with BAD_USER_INPUT', async (_name, page) => {
      expectClearError(await chat.as(alice, MessagesDocument, { sessionId, ...page }), 'BAD_USER_INPUT');
    });

    it('refuses non-numeric and out-of-range paging on GraphQL and REST', async () => {
      expectClearError(await asAlice('query($l: Int) { messages(sessionId: "s", limit: $l) { id } }', { l: 'ten' }), 'BAD_USER_INPUT');
      expectClearError(await asAlice('query($l: Int) { messages(sessionId: "s", limit: $l) { id } }', { l: 2 ** 40 }), 'BAD_USER_INPUT');
      expectClearError(
        await asAlice(`{ session(id: "${sessionId}") { messages(after: "not-a-cursor") { totalCount } } }`),
        'BAD_USER_INPUT',
      );
      expectClearError(await asAlice('{ sessions(after: "garbage") { pageInfo { hasNextPage } } }'), 'BAD_USER_INPUT');
      for (const query of ['limit=abc', 'limit=1.5', 'offset=-1', 'limit=99999999999']) {
        const response = await rest.as<{ statusCode: number; correlationId: string }>(
          alice,
          'GET',
          `/chat/sessions/${sessionId}/messages?${query}`,
        );
        expect(response.status).toBe(400);
        expect(response.body.correlationId).toMatch(/.{8,}/);
      }
    });
  });

  afterAll(async () => {
    // The server is still up and the data written before the battery is unchanged.
    expect((await fetch(`${chat.server.url}/healthz`)).status).toBe(200);
    expect(await readAll()).toEqual(before);
  });
});
