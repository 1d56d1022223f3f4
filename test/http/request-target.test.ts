/**
 * The Host header and the request target must form a URL: otherwise 400 BAD_REQUEST with a
 * JSON body, a message and a correlation id (never a 500 with a stack). Raw bytes over
 * node:net, since fetch cannot send most of these.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from '../../src/http/request-target.ts';
import { useChatServer } from '../support/chat-fixture.ts';
import { expectNoInternals } from '../support/leak-check.ts';
import { rawRequest, requestHead, type RawResponse } from '../support/raw-http.ts';

const query = JSON.stringify({ query: '{ __typename }' });
const json = ['content-type: application/json', 'accept: application/graphql-response+json', 'connection: close'];

function graphqlPost(host: string[] | Buffer, target = '/graphql', method = 'POST'): string | Buffer {
  if (Buffer.isBuffer(host)) {
    return Buffer.concat([
      Buffer.from(`${method} ${target} HTTP/1.1\r\n`),
      host,
      Buffer.from(`\r\n${requestHead('', json, query).slice(2)}`),
    ]);
  }
  return requestHead(`${method} ${target} HTTP/1.1`, [...host, ...json], query);
}

function expectEdgeError(response: RawResponse, status: number, code: string): { message: string; correlationId: string } {
  expectNoInternals(response.raw);
  expect(response.status, response.raw.slice(0, 300)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { errors: { message: string; extensions: { code: string; correlationId: string } }[] };
  const [error] = body.errors;
  expect(error?.extensions.code).toBe(code);
  expect(error?.message.length).toBeGreaterThan(10);
  expect(error?.extensions.correlationId).toMatch(/^[\w.-]{8,}$/);
  expect(response.headers['x-correlation-id']).toBe(error?.extensions.correlationId);
  return { message: error!.message, correlationId: error!.extensions.correlationId };
}

describe('Host header and request target', () => {
  const chat = useChatServer('sqlite');

  it.each<[string, string[] | Buffer]>([
    ['an unclosed IPv6 literal', ['Host: [::1']],
    ['a space', ['Host: a b']],
    ['a lone %', ['Host: %']],
    ['an empty Host', ['Host: ']],
    ['no Host at all', []],
    ['two Host headers', ['Host: localhost', 'Host: example.com']],
    ['raw non-ASCII bytes', Buffer.from('Host: h\xe9\xff.example\r\n', 'latin1').subarray(0, -2)],
  ])('answers a Host with %s with 400 BAD_REQUEST', async (_name, host) => {
    const response = await rawRequest(chat.server.url, graphqlPost(host));
    const { message } = expectEdgeError(response, 400, 'BAD_REQUEST');
    expect(message).toMatch(/Host/);
  });

  it.each([
    ['OPTIONS *', 'OPTIONS', '*'],
    ['an absolute-form target with a bad authority', 'POST', 'http://[::1/graphql'],
    ['a target that reads as another authority', 'POST', '//['],
    ['a scheme-relative target naming another host', 'POST', '//evil.example/graphql'],
  ])('answers %s with 400 BAD_REQUEST', async (_name, method, target) => {
    const response = await rawRequest(chat.server.url, graphqlPost(['Host: localhost'], target, method));
    const { message } = expectEdgeError(response, 400, 'BAD_REQUEST');
    expect(message).toMatch(/request target/);
  });

  it('answers a bad Host on a REST path in the REST error shape, and on /healthz too', async () => {
    const rest = await rawRequest(
      chat.server.url,
      requestHead('GET /chat/sessions/s1/messages HTTP/1.1', ['Host: [::1', 'connection: close']),
    );
    expectNoInternals(rest.raw);
    expect(rest.status).toBe(400);
    const body = JSON.parse(rest.body) as Record<string, unknown>;
    expect(body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/Host/),
      correlationId: rest.headers['x-correlation-id'],
    });
    const health = await rawRequest(chat.server.url, requestHead('GET /healthz HTTP/1.1', ['Host: a b', 'connection: close']));
    expectEdgeError(health, 400, 'BAD_REQUEST');
  });

  it('serves well-formed hosts and an absolute-form target as usual', async () => {
    for (const host of ['localhost', 'localhost:4000', '127.0.0.1:80', '[::1]:4000', 'chat.example.com']) {
      const response = await rawRequest(chat.server.url, graphqlPost([`Host: ${host}`]));
      expect(response.status, host).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ data: { __typename: 'Query' } });
    }
    const absolute = await rawRequest(chat.server.url, graphqlPost(['Host: localhost'], 'http://chat.example.com/graphql'));
    expect(JSON.parse(absolute.body)).toEqual({ data: { __typename: 'Query' } });
    const health = await rawRequest(
      chat.server.url,
      requestHead('GET http://localhost/healthz HTTP/1.1', ['Host: localhost', 'connection: close']),
    );
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
  });

  it('keeps serving after the battery', async () => {
    const response = await fetch(`${chat.server.url}/healthz`);
    expect(response.status).toBe(200);
  });
});

describe('parseRequestTarget', () => {
  const request = (host: string, url: string) => ({ rawHeaders: ['Host', host], url }) as unknown as IncomingMessage;

  it('names the URL the URL parser names, on the plain-path shortcut and off it', () => {
    const hosts = ['localhost', 'LocalHost:80', 'chat.example.com:4000', '127.0.0.1', '0x7f.1', '[::1]:4000', 'xn--bcher-kva.example'];
    const targets = [
      '/graphql',
      '/',
      '/chat/sessions/s-1/messages',
      '/a//b',
      '/a/./b',
      '/a/../b',
      '/%41',
      '/graphql?x=1',
      '/~user_x-y',
      '/a b',
    ];
    for (const host of hosts) {
      for (const target of targets) {
        const parsed = parseRequestTarget(request(host, target));
        const expected = new URL(target, `http://${host}`);
        expect(parsed, `${host} ${target}`).toMatchObject({
          ok: true,
          url: { pathname: expected.pathname, search: expected.search, host: expected.host },
        });
      }
    }
  });

  it('refuses a second leading slash and a Host that forms no URL, whether seen before or not', () => {
    expect(parseRequestTarget(request('localhost', '//evil.example/graphql')).ok).toBe(false);
    for (let i = 0; i < 2; i++) expect(parseRequestTarget(request('a..b%zz', '/graphql')).ok, `attempt ${i}`).toBe(false);
    for (let i = 0; i < 2; i++) expect(parseRequestTarget(request('[::1', '/graphql')).ok, `attempt ${i}`).toBe(false);
  });
});
