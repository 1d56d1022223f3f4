/**
 * The `/graphql` fast path (src/http/graphql-fast-path.ts) answers exactly as Yoga does. The
 * same request goes once to `/graphql` (the fast path, once Yoga has accepted the document)
 * and once to `/graphql?via=yoga` (a target the fast path never takes): status, content
 * type, the correlation header and the body (ids, times and correlation ids aside) must match,
 * for results with data, with execution errors, with variable errors, without a token, and
 * for every Accept header a client may send.
 */
import { describe, expect, it } from 'vitest';
import { negotiatedMediaType } from '../../src/http/graphql-fast-path.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';

const SEND =
  'mutation Send($s: ID!, $input: SendMessageInput!) { sendMessage(sessionId: $s, input: $input) { id seq content metadata timestamp } }';
const COUNT = 'query Count($s: ID!) { messageCount(sessionId: $s) }';

interface Answer {
  status: number;
  contentType: string | null;
  correlationHeader: boolean;
  body: string;
}

const normalize = (text: string) =>
  text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
    .replace(/"seq":\d+/g, '"seq":<n>');

describe('the /graphql fast path', () => {
  const chat = useChatServer('sqlite', { MESSAGES_PER_MINUTE: '0' });

  const post = async (path: string, body: unknown, headers: Record<string, string>): Promise<Answer> => {
    const response = await fetch(`${chat.server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      correlationHeader: /^[\w.-]{8,}$/.test(response.headers.get('x-correlation-id') ?? ''),
      body: normalize(await response.text()),
    };
  };

  /** Warms the fast path with the document, then asks both ways. */
  const both = async (body: unknown, headers: Record<string, string>) => {
    await post('/graphql?via=yoga', body, headers);
    const fast = await post('/graphql', body, headers);
    const yoga = await post('/graphql?via=yoga', body, headers);
    return { fast, yoga };
  };

  it('answers like Yoga for data, execution errors, variable errors and missing or bad tokens', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const auth = { authorization: `Bearer ${await chat.server.token(alice)}` };
    const accept = { accept: 'application/graphql-response+json, application/json' };
    const cases: [unknown, Record<string, string>][] = [
      [
        { query: SEND, variables: { s: sessionId, input: { content: 'hi', metadata: { a: [1, { b: null }] } } } },
        { ...auth, ...accept },
      ],
      [
        { query: SEND, operationName: 'Send', variables: { s: sessionId, input: { content: 'named' } } },
        { ...auth, accept: 'application/json' },
      ],
      [
        { query: SEND, variables: { s: sessionId, input: { content: ' ' } } },
        { ...auth, ...accept },
      ],
      [
        { query: SEND, variables: { s: 'no-such-session', input: { content: 'x' } } },
        { ...auth, accept: 'application/json' },
      ],
      [
        { query: SEND, variables: { s: sessionId, input: { content: 'x', role: 'NOPE' } } },
        { ...auth, ...accept },
      ],
      [
        { query: SEND, variables: { s: sessionId } },
        { ...auth, accept: 'application/json' },
      ],
      [
        { query: SEND, variables: { s: sessionId, input: { content: 'x' } } },
        { authorization: 'Bearer not-a-token', ...accept },
      ],
      [{ query: COUNT, variables: { s: sessionId } }, { ...accept }],
      [{ query: COUNT, variables: { s: sessionId } }, { ...auth }],
      [
        { query: COUNT, variables: { s: sessionId }, extensions: {} },
        { ...auth, ...accept },
      ],
    ];
    for (const [body, headers] of cases) {
      const { fast, yoga } = await both(body, headers);
      expect(fast, JSON.stringify(body)).toEqual(yoga);
    }
    expect((await post('/graphql', { query: COUNT, variables: { s: sessionId } }, auth)).body).toBe('{"data":{"messageCount":6}}');
  });

  it('chooses the media type Yoga chooses for each Accept header', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const auth = { authorization: `Bearer ${await chat.server.token(alice)}` };
    const accepts = [
      undefined,
      '*/*',
      'application/json',
      'application/graphql-response+json',
      'application/graphql-response+json, application/json',
      'application/json, application/graphql-response+json',
      'application/json;q=0.9, application/graphql-response+json',
      'application/*',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/event-stream, application/json',
      'text/html',
      'multipart/mixed',
    ];
    for (const accept of accepts) {
      const headers = accept === undefined ? auth : { ...auth, accept };
      const yoga = await post('/graphql?via=yoga', { query: COUNT, variables: { s: sessionId } }, headers);
      const expected = negotiatedMediaType(accept);
      // Neither JSON type: Yoga refuses (406, with the table's error) or streams.
      if (expected === undefined)
        expect(yoga.status === 406 ? yoga.body : (yoga.contentType ?? ''), String(accept)).toMatch(
          yoga.status === 406 ? /"code":"NOT_ACCEPTABLE"/ : /^(?!.*json)/,
        );
      else expect(yoga.contentType, String(accept)).toBe(`${expected}; charset=utf-8`);
      const { fast } = await both({ query: COUNT, variables: { s: sessionId } }, headers);
      expect(fast, String(accept)).toEqual(yoga);
    }
  });

  it('hands a body it cannot use to Yoga unread', async () => {
    const alice = uniqueUser('alice');
    const auth = { authorization: `Bearer ${await chat.server.token(alice)}`, accept: 'application/json' };
    for (const text of [
      '{"query":',
      '[{"query":"{ __typename }"}]',
      '{"query":"{ __typename }","other":1}',
      '"text"',
      '{"query":"{ nope }"}',
    ]) {
      const fast = await fetch(`${chat.server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: text,
      });
      const yoga = await fetch(`${chat.server.url}/graphql?via=yoga`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: text,
      });
      expect([fast.status, normalize(await fast.text())], text).toEqual([yoga.status, normalize(await yoga.text())]);
    }
  });
});
