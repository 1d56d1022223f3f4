/**
 * The one error table: every code the app answers on its tested paths (GraphQL and Yoga
 * request errors, graphql-armor limits, CSRF, REST) is a key of the table, and the HTTP
 * status of a refused request is the table's status for its code.
 */
import { CloseCode } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { closeCodeFor, describeError, errorTable, httpStatusOf, isErrorCode } from '../../src/errors.ts';
import { useChatServer } from '../support/chat-fixture.ts';
import { expectNoInternals } from '../support/leak-check.ts';
import { mintToken } from '../support/tokens.ts';

interface Outcome {
  status: number;
  code: unknown;
  /** Whether the result has a `data` entry (an execution error, answered 200 by GraphQL over HTTP). */
  executed: boolean;
}

async function call(url: string, init: RequestInit): Promise<Outcome> {
  const response = await fetch(url, init);
  const text = await response.text();
  expectNoInternals(text);
  const body = JSON.parse(text) as Record<string, unknown> & { errors?: { extensions?: { code?: unknown } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? body.code, executed: 'data' in body };
}

const graphqlHeaders = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
const deep = `{ sessions { edges { node { messages { edges { node { session { messages { edges { node { session { messages { edges { node { id } } } } } } } } } } } } } } }`;

describe('the error table', () => {
  const chat = useChatServer('sqlite');
  const strict = useChatServer('sqlite', { CSRF_PREVENTION: 'true', MAX_BATCH_OPERATIONS: '2' });
  const post = (body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
    call(chat.server.graphqlUrl, { method: 'POST', headers: { ...graphqlHeaders, ...headers }, body });
  const getQuery = (url: string, query: string, headers: Record<string, string> = {}) =>
    call(`${url}?query=${encodeURIComponent(query)}`, { headers: { accept: 'application/graphql-response+json', ...headers } });

  const requestErrors: [string, string, () => Promise<Outcome>][] = [
    ['a syntax error', 'GRAPHQL_PARSE_FAILED', () => post(JSON.stringify({ query: '{ sessions {' }))],
    ['an unknown field', 'GRAPHQL_VALIDATION_FAILED', () => post(JSON.stringify({ query: '{ nope }' }))],
    ['a query over MAX_QUERY_DEPTH', 'GRAPHQL_VALIDATION_FAILED', () => post(JSON.stringify({ query: deep }))],
    [
      'a variable of the wrong type',
      'BAD_USER_INPUT',
      () => post(JSON.stringify({ query: 'query($n: Int) { messages(sessionId: "s", limit: $n) { id } }', variables: { n: 'ten' } })),
    ],
    ['a body that is not JSON', 'BAD_REQUEST', () => post('{"query":')],
    ['a body that is not UTF-8', 'BAD_REQUEST', () => post(new Uint8Array([0x7b, 0xff, 0x7d]))],
    ['a body without a query', 'BAD_REQUEST', () => post(JSON.stringify({ variables: {} }))],
    ['a batch when batching is off', 'BAD_REQUEST', () => post(JSON.stringify([{ query: '{ __typename }' }]))],
    [
      'a body over MAX_BODY_BYTES',
      'REQUEST_ENTITY_TOO_LARGE',
      () => post(JSON.stringify({ query: `{ __typename } #${'x'.repeat(300_000)}` })),
    ],
    [
      'a body in a media type GraphQL over HTTP does not read',
      'UNSUPPORTED_MEDIA_TYPE',
      () => post('<q/>', { 'content-type': 'text/xml' }),
    ],
    [
      'an Accept header naming no media type /graphql answers in',
      'NOT_ACCEPTABLE',
      () => post(JSON.stringify({ query: '{ __typename }' }), { accept: 'image/png' }),
    ],
    ['PUT /graphql', 'METHOD_NOT_ALLOWED', () => call(chat.server.graphqlUrl, { method: 'PUT', headers: graphqlHeaders, body: '{}' })],
    ['a mutation over GET', 'METHOD_NOT_ALLOWED', () => getQuery(chat.server.graphqlUrl, 'mutation { deleteMessage(id: "m") { id } }')],
    [
      'GET with two operations and no operationName',
      'OPERATION_RESOLUTION_FAILURE',
      () => getQuery(chat.server.graphqlUrl, 'query A { __typename } query B { __typename }'),
    ],
    ['a GET without the CSRF header', 'FORBIDDEN', () => getQuery(strict.server.graphqlUrl, '{ __typename }')],
    [
      'a batch over MAX_BATCH_OPERATIONS',
      'REQUEST_ENTITY_TOO_LARGE',
      () =>
        call(strict.server.graphqlUrl, {
          method: 'POST',
          headers: graphqlHeaders,
          body: JSON.stringify(Array.from({ length: 3 }, () => ({ query: '{ __typename }' }))),
        }),
    ],
  ];

  it.each(requestErrors)('answers %s with %s and the table status', async (_name, code, run) => {
    const outcome = await run();
    expect(outcome.code).toBe(code);
    expect(isErrorCode(outcome.code)).toBe(true);
    expect(outcome.status).toBe(httpStatusOf(code as keyof typeof errorTable));
  });

  it.each([
    ['text/xml', 'application/graphql-response+json', 415],
    ['application/json', 'image/png', 406],
  ])('answers a %s body accepting %s (%i) with a message and the correlation id of its header', async (contentType, accept, status) => {
    const response = await fetch(chat.server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': contentType, accept },
      body: contentType === 'text/xml' ? '<q/>' : JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as { errors: { message: string; extensions: { correlationId: string } }[] };
    expect(body.errors[0]!.message).toMatch(/application\/json/);
    expect(body.errors[0]!.extensions.correlationId).toBe(response.headers.get('x-correlation-id'));
    if (status === 406) expect(response.headers.get('accept')).toMatch(/application\/graphql-response\+json/);
  });

  const executionErrors: [string, string, () => Promise<Outcome>][] = [
    [
      'a send without a token',
      'UNAUTHENTICATED',
      () => post(JSON.stringify({ query: 'mutation { sendMessage(sessionId: "s", input: { content: "x" }) { id } }' })),
    ],
    [
      'an unknown session',
      'NOT_FOUND',
      async () =>
        post(JSON.stringify({ query: '{ session(id: "nope") { id } }' }), { authorization: `Bearer ${await mintToken('table-user')}` }),
    ],
    [
      'an invalid cursor',
      'BAD_USER_INPUT',
      async () =>
        post(JSON.stringify({ query: '{ sessions(after: "!!") { edges { cursor } } }' }), {
          authorization: `Bearer ${await mintToken('table-user')}`,
        }),
    ],
  ];

  it.each(executionErrors)('answers %s (an execution error) with %s, a table code, over 200', async (_name, code, run) => {
    const outcome = await run();
    expect(outcome.code).toBe(code);
    expect(isErrorCode(outcome.code)).toBe(true);
    expect(outcome.executed).toBe(true);
    expect(outcome.status).toBe(200);
  });

  it.each([
    ['an unknown route', 'NOT_FOUND', '/chat/nowhere', 'GET'],
    ['a wrong method', 'METHOD_NOT_ALLOWED', '/chat/sessions/s/messages/count', 'POST'],
    ['no token', 'UNAUTHENTICATED', '/chat/sessions/s/messages', 'GET'],
  ])('answers REST %s with %s and the table status', async (_name, code, path, method) => {
    const outcome = await call(`${chat.server.url}${path}`, { method });
    expect(outcome.code).toBe(code);
    expect(outcome.status).toBe(httpStatusOf(code as keyof typeof errorTable));
  });

  it('gives every code one HTTP status and one WebSocket close code of graphql-ws or RFC 6455', () => {
    const known = new Set<number>([...Object.values(CloseCode).filter((value) => typeof value === 'number'), 1009, 1013]);
    for (const code of Object.keys(errorTable) as (keyof typeof errorTable)[]) {
      const row = describeError(code);
      expect(row.httpStatus, code).toBeGreaterThanOrEqual(400);
      expect(known.has(closeCodeFor(code)), `${code} → ${closeCodeFor(code)}`).toBe(true);
      expect(row.when.length, code).toBeGreaterThan(10);
    }
    expect(closeCodeFor('UNAUTHENTICATED')).toBe(CloseCode.Forbidden);
    expect(closeCodeFor('INTERNAL_SERVER_ERROR')).toBe(CloseCode.InternalServerError);
    expect(closeCodeFor('SERVICE_UNAVAILABLE')).toBe(1013);
  });
});
