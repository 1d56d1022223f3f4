import { envelop, useEngine, useSchema } from '@envelop/core';
import { execute, parse, print, subscribe, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import * as operations from '../../src/generated/operations.ts';
import { createOperationLimitPlugins } from '../../src/graphql/operation-limits.ts';
import { schema } from '../../src/schema/index.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf, errorCode, graphql, type GraphQLResponse } from '../support/graphql-client.ts';

/** The client operations of test/operations/*.graphql, by name. */
const clientOperations = Object.entries(operations).filter(
  (entry): entry is [string, DocumentNode] => entry[0].endsWith('Document') && typeof entry[1] === 'object',
);

/** Parses and validates the way the WebSocket server will: plain envelop with the same plugins. */
function validateWithLimits(document: string, env: Record<string, string> = {}): readonly { message: string }[] {
  const getEnveloped = envelop({
    plugins: [useEngine({ parse, validate, execute, subscribe }), useSchema(schema), ...createOperationLimitPlugins(loadConfig(env))],
  });
  const { parse: parseWithLimits, validate: validateLimited, schema: enveloped } = getEnveloped();
  try {
    return validateLimited(enveloped, parseWithLimits(document));
  } catch (error) {
    return [error as Error];
  }
}

/** `message { session { messages { edges { node { session … } } } } }`, `levels` times: depth 4 per level. */
function nestedQuery(levels: number, copies = 1): string {
  let inner = 'authorId';
  for (let i = 0; i < levels; i++) {
    inner = `session { id title ownerId messages { totalCount edges { cursor node { id content seq ${inner} } } } }`;
  }
  return `{ ${Array.from({ length: copies }, () => `message(id: "x") { id ${inner} }`).join(' ')} }`;
}

function expectRefused(response: GraphQLResponse<unknown>, limit: string): void {
  expect(response.status).toBe(400);
  expect(response.data ?? null).toBeNull();
  expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit, correlationId: expect.any(String) });
}

describe('operation limits with their defaults', () => {
  const chat = useChatServer('sqlite');
  const asUser = (query: string) =>
    chat.server.token(uniqueUser('u')).then((token) => graphql(chat.server.graphqlUrl, query, {}, { token }));

  it('lets every client operation through, even with every limit halved', () => {
    expect(clientOperations.length).toBeGreaterThanOrEqual(14);
    const defaults = loadConfig({}).operationLimits;
    const halved = {
      MAX_QUERY_DEPTH: String(defaults.maxDepth / 2),
      MAX_QUERY_COST: String(defaults.maxCost / 2),
      MAX_QUERY_TOKENS: String(defaults.maxTokens / 2),
    };
    for (const [name, document] of clientOperations) {
      expect([name, validateWithLimits(print(document))]).toEqual([name, []]);
      expect([name, validateWithLimits(print(document), halved)]).toEqual([name, []]);
    }
  });

  it('runs a real client operation end to end', async () => {
    const alice = uniqueUser('alice');
    const id = await chat.createSession(alice);
    await chat.send(alice, id, 'hello');
    const page = dataOf(await chat.as(alice, operations.SessionMessagesPageDocument, { id, first: 10 }));
    expect(page.session.messages.edges.map((edge) => edge.node.content)).toEqual(['hello']);
  });

  it('refuses a query nested deeper than MAX_QUERY_DEPTH (10)', async () => {
    const refused = await asUser(nestedQuery(3));
    expectRefused(refused, 'MAX_QUERY_DEPTH');
    expect(refused.errors?.[0]?.message).toMatch(/depth limit of 10 exceeded, found 14/);
    expect(errorCode(await asUser(nestedQuery(2)))).toBe('NOT_FOUND');
  });

  it('refuses a query costing more than MAX_QUERY_COST (20000): nested connections', async () => {
    expectRefused(
      await asUser('{ sessions(first: 100) { edges { node { messages(first: 100) { edges { node { id content } } } } } } }'),
      'MAX_QUERY_COST',
    );
  });

  it('accepts a literal page of MAX_PAGE_SIZE messages with all their fields', async () => {
    const page = `{ session(id: "x") { messages(first: 200) { totalCount edges { cursor node {
      id sessionId seq role content metadata timestamp authorId editedAt clientMessageId } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
    expect(errorCode(await asUser(page))).toBe('NOT_FOUND');
  });

  it('refuses more than MAX_ALIASES (15) aliases', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `s${i}: sessions(first: 1) { edges { cursor } }`).join(' ')} }`;
    expectRefused(await asUser(aliases(16)), 'MAX_ALIASES');
    expect((await asUser(aliases(15))).errors).toBeUndefined();
  });

  it('refuses more than MAX_DIRECTIVES (20) directives', async () => {
    const directives = (n: number) => `{ sessions(first: 1) { edges { cursor ${'@include(if: true) '.repeat(n)} } } }`;
    expectRefused(await asUser(directives(21)), 'MAX_DIRECTIVES');
  });

  it('refuses a document of more than MAX_QUERY_TOKENS (1000) tokens', async () => {
    const refused = await asUser(`{ ${'__typename '.repeat(1001)}}`);
    expectRefused(refused, 'MAX_QUERY_TOKENS');
    expect(refused.errors?.[0]?.message).toBe('Token limit of 1000 exceeded.');
  });

  it('refuses batched requests (MAX_BATCH_OPERATIONS=0)', async () => {
    const response = await postRaw(chat.server.graphqlUrl, JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ message: 'Batching is not supported.', extensions: { code: 'BAD_REQUEST' } });
  });

  it('answers 413 to a body larger than MAX_BODY_BYTES (256 KiB), with or without Content-Length', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(262_144) } });
    const declared = await postRaw(chat.server.graphqlUrl, big);
    expect(declared.status).toBe(413);
    expect(declared.body.errors[0].extensions).toMatchObject({ code: 'REQUEST_ENTITY_TOO_LARGE', correlationId: expect.any(String) });

    const streamed = await postRaw(chat.server.graphqlUrl, chunked(big));
    expect(streamed.status).toBe(413);
    expect(streamed.body.errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');

    const justUnder = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(200_000) } });
    expect((await postRaw(chat.server.graphqlUrl, justUnder)).status).toBe(200);
  });
});

describe('operation limits from the environment', () => {
  const chat = useChatServer('sqlite', {
    MAX_QUERY_DEPTH: '3',
    MAX_ALIASES: '1',
    MAX_QUERY_COST: '10',
    MAX_DIRECTIVES: '1',
    MAX_QUERY_TOKENS: '40',
    MAX_BATCH_OPERATIONS: '2',
    MAX_BODY_BYTES: '2048',
  });
  const asUser = (query: string) =>
    chat.server.token(uniqueUser('u')).then((token) => graphql(chat.server.graphqlUrl, query, {}, { token }));

  it('applies each configured limit', async () => {
    expectRefused(await asUser('{ sessions { edges { node { id } } } }'), 'MAX_QUERY_DEPTH');
    expectRefused(await asUser('{ a: sessions { edges { cursor } } b: sessions { edges { cursor } } }'), 'MAX_ALIASES');
    expectRefused(await asUser('{ sessions { edges { cursor @include(if: true) @skip(if: false) } } }'), 'MAX_DIRECTIVES');
    expectRefused(await asUser('{ sessions { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }'), 'MAX_QUERY_COST');
    expectRefused(await asUser(`{ ${'__typename '.repeat(41)}}`), 'MAX_QUERY_TOKENS');
    expect(
      (await postRaw(chat.server.graphqlUrl, JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(2048) } }))).status,
    ).toBe(413);
  });

  it('runs a batch of up to MAX_BATCH_OPERATIONS operations and refuses a larger one with 413', async () => {
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ query: '{ __typename }' })));
    const allowed = await postRaw(chat.server.graphqlUrl, batch(2));
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual([{ data: { __typename: 'Query' } }, { data: { __typename: 'Query' } }]);
    const refused = await postRaw(chat.server.graphqlUrl, batch(3));
    expect(refused.status).toBe(413);
    expect(refused.body.errors[0]).toMatchObject({
      message: 'Batching is limited to 2 operations per request.',
      extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' },
    });
  });
});

/** A body streamed in pieces, so fetch sends it chunked without a Content-Length. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 16_384));
      offset += 16_384;
    },
  });
}

/** POSTs a raw body; the JSON answer (an object, or an array for a batch) is inspected loosely. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads objects and batch arrays alike
async function postRaw(url: string, body: string | ReadableStream<Uint8Array>): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body,
    ...(typeof body === 'string' ? {} : { duplex: 'half' }),
  } as RequestInit);
  return { status: response.status, body: await response.json() };
}
