/**
 * Status mapping for GraphQL error codes a real server cannot easily be made to produce
 * (rate limiting, an unavailable database, a masked crash), and body reading without a
 * Content-Length: the REST handler in front of a stub GraphQL endpoint.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correlationIdFrom, runWithCorrelationId } from '../../src/observability/correlation.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { GraphQLEndpoint } from '../../src/rest/graphql-runner.ts';
import { createRestHandler } from '../../src/rest/handler.ts';
import { expectRestError, restCall } from '../support/rest-client.ts';

describe('REST error mapping in front of a stub GraphQL endpoint', () => {
  let answer: () => Response = () => Response.json({ data: { messageCount: 0 } });
  const logged: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message) => void logged.push(message) };
  const stub: GraphQLEndpoint = { fetch: () => answer() };
  const handler = createRestHandler({ yoga: stub, logger, maxBodyBytes: 64 });
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) =>
      runWithCorrelationId(correlationIdFrom(req.headers['x-request-id'] as string | undefined), () => void handler(req, res)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const failWith = (code: string, message: string) => {
    answer = () => Response.json({ data: null, errors: [{ message, extensions: { code, correlationId: 'from-graphql-1' } }] });
  };

  it.each([
    ['RATE_LIMITED', 429],
    ['SERVICE_UNAVAILABLE', 503],
    ['INTERNAL_SERVER_ERROR', 500],
    ['FORBIDDEN', 403],
    ['UNAUTHENTICATED', 401],
  ])('answers %s with %i, the GraphQL message and its correlation id', async (code, status) => {
    failWith(code, `because ${code}`);
    const response = await restCall(url, 'GET', '/chat/sessions/s1/messages/count');
    expect(response.body).toMatchObject({ statusCode: status, message: `because ${code}`, correlationId: 'from-graphql-1' });
  });

  it('masks a GraphQL validation failure of its own document as a logged 500', async () => {
    failWith('GRAPHQL_VALIDATION_FAILED', 'Cannot query field "messageCount"');
    const response = await restCall(url, 'GET', '/chat/sessions/s1/messages/count', { headers: { 'x-request-id': 'req-mask-0001' } });
    expectRestError(response, 500, 'Unexpected error. Quote correlation id from-graphql-1 when reporting it.');
    expect(JSON.stringify(response.body)).not.toContain('Cannot query field');
    expect(logged).toContain('REST route document was rejected by GraphQL');
  });

  it('answers a crash of the endpoint with a masked 500 carrying the request correlation id', async () => {
    answer = () => {
      throw new Error('socket hang up at 10.0.0.5');
    };
    const response = await restCall(url, 'GET', '/chat/sessions/s1/messages/count', { headers: { 'x-request-id': 'req-crash-001' } });
    expectRestError(response, 500, 'Unexpected error. Quote correlation id req-crash-001 when reporting it.');
    expect(logged).toContain('unexpected REST error');
  });

  it('answers 413 for a chunked body that grows past the limit', async () => {
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/chat/sessions/s1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(`{"content": "${'x'.repeat(40)}`);
      req.end(`${'y'.repeat(40)}"}`);
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });
});
