/**
 * Cursors are client-controlled base64. A cursor this API could not have issued answers
 * BAD_USER_INPUT with a short, fixed message (never a masked 500, never the cursor echoed
 * back), and a real cursor keeps paging as before.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { expectCodedError, storedState } from '../support/coded-errors.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { testedProviders } from '../support/server.ts';

const INVALID_CURSOR = /^Invalid cursor: /;
const cursorOf = (payload: string) => Buffer.from(`GPC:${payload}`).toString('base64');

const MESSAGES_PAGE = `query($id: ID!, $after: String, $before: String, $first: Int, $last: Int) {
  session(id: $id) { messages(after: $after, before: $before, first: $first, last: $last) {
    edges { cursor node { seq } } pageInfo { endCursor startCursor } } } }`;
const SESSIONS_PAGE = `query($after: String, $before: String, $first: Int, $last: Int) { sessions(first: $first, last: $last, after: $after, before: $before) {
  edges { cursor node { id } } } }`;

interface MessagesPage {
  session: { messages: { edges: { cursor: string; node: { seq: number } }[]; pageInfo: { endCursor: string; startCursor: string } } };
}

describe.each(testedProviders())('crafted pagination cursors on %s', (provider) => {
  const chat = useChatServer(provider);
  const alice = uniqueUser('alice');
  let sessionId = '';
  let otherSessionCursor = '';
  let before = '';

  const asAlice = async <T>(query: string, variables: Record<string, unknown>) =>
    graphql<T>(chat.server.graphqlUrl, query, variables, { token: await chat.server.token(alice) });
  const messagesPage = (variables: Record<string, unknown>) => asAlice<MessagesPage>(MESSAGES_PAGE, { id: sessionId, ...variables });

  beforeAll(async () => {
    sessionId = await chat.createSession(alice);
    for (let i = 1; i <= 4; i++) await chat.send(alice, sessionId, { content: `m${i}`, metadata: { i } });
    const other = await chat.createSession(alice);
    await chat.send(alice, other, 'elsewhere');
    const otherPage = await asAlice<MessagesPage>(MESSAGES_PAGE, { id: other });
    otherSessionCursor = dataOf(otherPage).session.messages.pageInfo.endCursor;
    before = await storedState(chat, alice, sessionId);
  });

  it('pages forwards and backwards with the cursors it issued', async () => {
    const first = dataOf(await messagesPage({ first: 2 })).session.messages;
    expect(first.edges.map((e) => e.node.seq)).toEqual([1, 2]);
    const next = dataOf(await messagesPage({ first: 2, after: first.pageInfo.endCursor })).session.messages;
    expect(next.edges.map((e) => e.node.seq)).toEqual([3, 4]);
    const back = dataOf(await messagesPage({ last: 2, before: next.pageInfo.startCursor })).session.messages;
    expect(back.edges.map((e) => e.node.seq)).toEqual([1, 2]);
  });

  const seqCases: [string, string][] = [
    ['a string', '"S:2"'],
    ['NaN', '"N:NaN"'],
    ['1e400 (Infinity)', '"N:1e400"'],
    ['null', 'null'],
    ['an object', '"O:{\\"gt\\":0}"'],
    ['2^31', '"N:2147483648"'],
    ['a negative number', '"N:-1"'],
    ['zero', '"N:0"'],
    ['a non-integer', '"N:1.5"'],
    ['a bigint', '"I:2"'],
    ['a date', '"D:2"'],
    ['bytes', '"B:AA=="'],
  ];
  it.each(seqCases)('refuses a messages cursor whose seq is %s', async (_name, seq) => {
    for (const direction of ['after', 'before']) {
      const cursor = cursorOf(`T:["S:${sessionId}",${seq}]`);
      expectCodedError(await messagesPage({ [direction]: cursor }), 'BAD_USER_INPUT', INVALID_CURSOR);
    }
  });

  it.each([
    ['a numeric session id', () => cursorOf('T:["N:1","N:1"]')],
    ['a session id with a NUL', () => cursorOf('T:["S:a\\u0000b","N:1"]')],
    ['one part only', () => cursorOf(`T:["S:${sessionId}"]`)],
    ['a single value instead of a pair', () => cursorOf('S:abc')],
    ['a legacy pair with an object seq', () => cursorOf(`J:["${sessionId}",{"a":1}]`)],
    ['an unknown tag', () => cursorOf('X:1')],
    ['no GPC prefix', () => Buffer.from('T:["S:x","N:1"]').toString('base64')],
    ['text that is not base64', () => 'not a cursor!'],
    ['100 KB of base64', () => 'QUFB'.repeat(25_000)],
    ['another session’s cursor', () => otherSessionCursor],
  ])('refuses a messages cursor with %s', async (_name, make) => {
    const response = await messagesPage({ after: make() });
    expectCodedError(response, 'BAD_USER_INPUT', INVALID_CURSOR);
    expect(response.errors![0]!.message.length).toBeLessThan(200);
  });

  it.each([
    ['a number', 'N:1'],
    ['an object', 'O:{"gt":""}'],
    ['an empty object', 'O:{}'],
    ['null', 'Z:'],
    ['a NUL id', 'S:a\u0000b'],
    ['a NUL id written as JSON', 'O:"a\\u0000b"'],
    ['an id with a lone surrogate (only JSON can carry one)', 'O:"\\ud800"'],
    ['a pair', 'T:["S:a","S:b"]'],
    ['a bigint', 'I:1'],
  ])('refuses a sessions cursor holding %s', async (_name, payload) => {
    expectCodedError(await asAlice(SESSIONS_PAGE, { after: cursorOf(payload), first: 5 }), 'BAD_USER_INPUT', INVALID_CURSOR);
    expectCodedError(await asAlice(SESSIONS_PAGE, { before: cursorOf(payload), last: 5 }), 'BAD_USER_INPUT', INVALID_CURSOR);
  });

  it('refuses huge and non-base64 sessions cursors without echoing them', async () => {
    for (const cursor of ['QUFB'.repeat(25_000), '%%%', '']) {
      const response = await asAlice(SESSIONS_PAGE, { after: cursor });
      expectCodedError(response, 'BAD_USER_INPUT', INVALID_CURSOR);
      expect(response.errors![0]!.message.length).toBeLessThan(200);
    }
  });

  it('still pages sessions with a cursor it issued, and an unknown but well-formed id gives an empty page', async () => {
    await chat.createSession(alice);
    const page = dataOf(await asAlice<{ sessions: { edges: { cursor: string }[] } }>(SESSIONS_PAGE, {})).sessions;
    expect(page.edges.length).toBeGreaterThanOrEqual(2);
    const rest = dataOf(await asAlice<{ sessions: { edges: unknown[] } }>(SESSIONS_PAGE, { after: page.edges[0]!.cursor })).sessions;
    expect(rest.edges.length).toBe(page.edges.length - 1);
    const unknown = await asAlice<{ sessions: { edges: unknown[] } }>(SESSIONS_PAGE, {
      after: cursorOf('S:00000000-0000-4000-8000-000000000000'),
    });
    expect(dataOf(unknown).sessions.edges).toEqual([]);
  });

  it('leaves the stored messages unchanged', async () => {
    expect(await storedState(chat, alice, sessionId)).toBe(before);
  });
});
