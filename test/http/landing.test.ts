/** `GET /` points a newcomer at the endpoints instead of answering 404. */
import { describe, expect, it } from 'vitest';
import { useChatServer } from '../support/chat-fixture.ts';

describe('the base URL', () => {
  const chat = useChatServer('sqlite');

  it('answers GET / with JSON naming /graphql, the REST routes, health and metrics', async () => {
    const response = await fetch(`${chat.server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as { endpoints: Record<string, string> };
    expect(body.endpoints.graphql).toMatch(/^\/graphql/);
    expect(body.endpoints.rest).toMatch(/\/chat\/sessions\/:sessionId\/messages/);
    expect(body.endpoints).toMatchObject({ liveness: '/healthz', readiness: '/readyz', openapi: '/chat/openapi.json' });
    expect(body.endpoints.metrics).toMatch(/^\/metrics/);
  });

  it('answers a browser with a small HTML page linking GraphiQL', async () => {
    const response = await fetch(`${chat.server.url}/`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<a href="/graphql">');
    expect(html).toContain('/healthz');
  });

  it('answers other unknown paths 404 NOT_FOUND in JSON with a correlation id, pointing at GET /', async () => {
    const response = await fetch(`${chat.server.url}/nothing-here`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.message).toBe('Nothing is served at /nothing-here; GET / lists the endpoints');
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', correlationId: response.headers.get('x-correlation-id') });
  });
});
