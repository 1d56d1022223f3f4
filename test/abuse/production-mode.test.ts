import { describe, expect, it } from 'vitest';
import { MessageCountDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer, type ChatFixture } from '../support/chat-fixture.ts';
import { errorCode, graphql } from '../support/graphql-client.ts';
import { captureLogs } from '../support/log-capture.ts';
import { startTestServer } from '../support/server.ts';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPO = '{ sessoins { edges { cursor } } }';

async function getGraphQL(chat: ChatFixture, query: string, headers: Record<string, string> = {}) {
  const url = `${chat.server.graphqlUrl}?query=${encodeURIComponent(query)}`;
  const response = await fetch(url, { headers: { accept: 'application/graphql-response+json', ...headers } });
  return {
    status: response.status,
    body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] },
  };
}

async function graphiqlServed(chat: ChatFixture): Promise<boolean> {
  const response = await fetch(chat.server.graphqlUrl, { headers: { accept: 'text/html', 'x-graphql-csrf': '1' } });
  const body = await response.text();
  return response.status === 200 && (response.headers.get('content-type') ?? '').includes('text/html') && /graphiql/i.test(body);
}

describe('production mode (NODE_ENV=production)', () => {
  const chat = useChatServer('sqlite', { NODE_ENV: 'production' });
  const asUser = (query: string) =>
    chat.server.token(uniqueUser('u')).then((token) => graphql(chat.server.graphqlUrl, query, {}, { token }));

  it('refuses introspection but still answers __typename', async () => {
    for (const query of [INTROSPECTION, '{ __type(name: "Message") { name } }']) {
      const refused = await asUser(query);
      expect(refused.status).toBe(400);
      expect(refused.errors?.[0]?.message).toMatch(/introspection has been disabled/);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', correlationId: expect.any(String) });
    }
    expect((await asUser('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('serves no GraphiQL', async () => {
    expect(await graphiqlServed(chat)).toBe(false);
  });

  it('hides field suggestions', async () => {
    const response = await asUser(TYPO);
    expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors?.[0]?.message).toBe('Cannot query field "sessoins" on type "Query".');
  });

  it('requires a CSRF header on GET and form-like POSTs, and lets JSON POSTs through', async () => {
    const bare = await getGraphQL(chat, '{ __typename }');
    expect(bare.status).toBe(403);
    expect(bare.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', correlationId: expect.any(String) });
    expect((await getGraphQL(chat, '{ __typename }', { 'x-graphql-csrf': '1' })).body.data).toEqual({ __typename: 'Query' });

    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const body = contentType === 'text/plain' ? JSON.stringify({ query: '{ __typename }' }) : 'query=%7B__typename%7D';
      const response = await fetch(chat.server.graphqlUrl, { method: 'POST', headers: { 'content-type': contentType }, body });
      expect([contentType, response.status]).toEqual([contentType, 403]);
    }
    // Our clients post JSON: a content type a browser form cannot send, so it was preflighted.
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    expect((await chat.as(alice, MessageCountDocument, { sessionId })).data).toEqual({ messageCount: 0 });
  });

  it('masks unexpected errors: no stack, SQL or driver text leaves the server, the log keeps it', async () => {
    const logs = captureLogs();
    const server = await startTestServer('sqlite', { NODE_ENV: 'production' }, { logger: logs });
    try {
      const alice = uniqueUser('alice');
      const token = await server.token(alice);
      await server.app.prisma.$executeRawUnsafe('DROP TABLE "ConversationMessage"');
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ message(id: "00000000-0000-4000-8000-000000000000") { id } }' }),
      });
      const text = await response.text();
      const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string; correlationId: string } }[] };
      const [error] = body.errors;
      expect(error?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error?.message).toBe(`Unexpected error. Quote correlation id ${error?.extensions.correlationId} when reporting it.`);
      expect(text).not.toMatch(/stack|\bat .+:\d+|ConversationMessage|SELECT|sqlite|prisma|no such table/i);

      const logged = logs.entries.find((entry) => entry.message === 'unexpected error');
      expect(logged?.fields?.correlationId).toBe(error?.extensions.correlationId);
      expect(JSON.stringify(logged?.fields)).toMatch(/does not exist in the current database/);
    } finally {
      await server.stop();
    }
  });
});

describe('production mode with everything turned back on', () => {
  const chat = useChatServer('sqlite', {
    NODE_ENV: 'production',
    GRAPHQL_INTROSPECTION: 'true',
    GRAPHIQL: 'true',
    CSRF_PREVENTION: 'false',
  });

  it('allows introspection, GraphiQL and header-less GET', async () => {
    const token = await chat.server.token(uniqueUser('u'));
    expect((await graphql(chat.server.graphqlUrl, INTROSPECTION, {}, { token })).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
    expect(await graphiqlServed(chat)).toBe(true);
    expect((await getGraphQL(chat, '{ __typename }')).body.data).toEqual({ __typename: 'Query' });
  });
});

describe('development mode (the default)', () => {
  const chat = useChatServer('sqlite');

  it('allows introspection and GraphiQL, and suggests field names', async () => {
    const token = await chat.server.token(uniqueUser('u'));
    expect((await graphql(chat.server.graphqlUrl, INTROSPECTION, {}, { token })).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
    expect(await graphiqlServed(chat)).toBe(true);
    expect((await graphql(chat.server.graphqlUrl, TYPO, {}, { token })).errors?.[0]?.message).toMatch(/Did you mean "sessions"/);
  });
});
