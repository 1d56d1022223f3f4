import { describe, expect, it } from 'vitest';
import { restRoutes } from '../../src/rest/routes.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { expectRestError, useRestClient } from '../support/rest-client.ts';

// Routing, OpenAPI and headers do not depend on the database: SQLite is enough.
describe('REST routing, OpenAPI and correlation ids', () => {
  const chat = useChatServer('sqlite');
  const rest = useRestClient(chat);

  it.each(['/chat', '/chat/', '/chat/nope', '/chat/sessions/s1/messages/latest', '/chat/messages', '/chat/sessions/s1'])(
    'answers 404 in the error format for the unknown route GET %s',
    async (path) => {
      expectRestError(await rest.as(uniqueUser('alice'), 'GET', path), 404, /^Cannot GET \/chat/);
    },
  );

  it('answers 405 with an Allow header for a known path with the wrong method', async () => {
    const patch = await rest.as(uniqueUser('alice'), 'PATCH', '/chat/messages/m1', { body: { content: 'x' } });
    expectRestError(patch, 405, 'Method PATCH is not allowed here; use PUT or DELETE');
    expect(patch.headers.get('allow')).toBe('PUT, DELETE');
    const postCount = await rest.as(uniqueUser('alice'), 'POST', '/chat/sessions/s1/messages/count');
    expectRestError(postCount, 405);
    expect(postCount.headers.get('allow')).toBe('GET');
    expectRestError(await rest.call('POST', '/chat/openapi.json'), 405);
  });

  it('tolerates a trailing slash and answers 400 for a malformed path escape', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    expect((await rest.as(alice, 'GET', `/chat/sessions/${sessionId}/messages/count/`)).body).toEqual({ count: 0 });
    expectRestError(await rest.as(alice, 'DELETE', '/chat/messages/%E0%A4%A'), 400, 'messageId is not a valid URL path segment');
  });

  it('accepts the JWT from the jwt cookie like GraphQL does', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const token = await chat.server.token(alice);
    const response = await rest.call('GET', `/chat/sessions/${sessionId}/messages/count`, { headers: { cookie: `a=1; jwt=${token}` } });
    expect(response).toMatchObject({ status: 200, body: { count: 0 } });
  });

  it('carries the caller’s x-request-id as correlation id in the header and the error body', async () => {
    const ok = await rest.as(uniqueUser('alice'), 'GET', '/chat/sessions/nope/messages', { headers: { 'x-request-id': 'req-rest-0001' } });
    expectRestError(ok, 404);
    expect(ok.headers.get('x-correlation-id')).toBe('req-rest-0001');
    const unauthenticated = await rest.call('GET', '/chat/sessions/nope/messages', { headers: { 'x-request-id': 'req-rest-0002' } });
    expect(unauthenticated.body).toMatchObject({ statusCode: 401, correlationId: 'req-rest-0002' });
  });

  it('serves an OpenAPI 3 document without auth that lists every route', async () => {
    const response = await rest.call<OpenApi>('GET', '/chat/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = response.body;
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/chat/messages/{messageId}',
      '/chat/sessions/{sessionId}/messages',
      '/chat/sessions/{sessionId}/messages/count',
      '/chat/sessions/{sessionId}/messages/recent',
    ]);
    for (const route of restRoutes) {
      const operation = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toMatchObject({ operationId: route.operationId });
      expect(Object.keys(operation?.responses ?? {})).toContain(String(route.success.status));
    }
    expect(restRoutes).toHaveLength(7);
    // Every $ref points at a component that exists.
    for (const ref of JSON.stringify(doc).match(/"#\/components\/[^"]+"/g) ?? []) {
      const [, , section, name] = JSON.parse(ref).split('/') as string[];
      expect(doc.components[section ?? '']?.[name ?? ''], ref).toBeDefined();
    }
  });

  it('leaves paths that only start with "chat" to GraphQL Yoga', async () => {
    const response = await fetch(`${chat.server.url}/chatroom`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('statusCode');
  });
});

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  components: Record<string, Record<string, unknown>>;
}
