/**
 * Requests Node's parser refuses (clientError): a malformed request line answers 400 and
 * headers over MAX_HEADER_BYTES answer 431, for plain requests and WebSocket upgrades alike,
 * each with a JSON body and a correlation id instead of Node's bare status line.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { useChatServer } from '../support/chat-fixture.ts';
import { expectNoInternals } from '../support/leak-check.ts';
import { rawRequest, requestHead, type RawResponse } from '../support/raw-http.ts';

function expectJsonError(response: RawResponse, status: number, code: string): void {
  expectNoInternals(response.raw);
  expect(response.status, response.raw.slice(0, 200)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { errors: { message: string; extensions: { code: string; correlationId: string } }[] };
  expect(body.errors[0]?.extensions.code).toBe(code);
  expect(body.errors[0]?.message).toMatch(/\w{4,}/);
  expect(response.headers['x-correlation-id']).toBe(body.errors[0]?.extensions.correlationId);
  expect(response.headers['x-correlation-id']).toMatch(/^[\w-]{8,}$/);
}

describe('requests Node cannot parse', () => {
  const chat = useChatServer('sqlite', { MAX_HEADER_BYTES: '8192' });

  it('documents MAX_HEADER_BYTES with a default of 16384', () => {
    expect(loadConfig({}).operationLimits.maxHeaderBytes).toBe(16384);
    expect(loadConfig({ MAX_HEADER_BYTES: '4096' }).operationLimits.maxHeaderBytes).toBe(4096);
    expect(() => loadConfig({ MAX_HEADER_BYTES: 'lots' })).toThrow(/MAX_HEADER_BYTES/);
  });

  it.each([
    ['garbage instead of a request line', 'GARBAGE\r\n\r\n'],
    ['a request line with an invalid method', 'G@T /graphql HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['a header without a colon', 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nnot a header\r\n\r\n'],
    ['an invalid Content-Length', 'POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-length: ten\r\n\r\n'],
  ])('answers %s with 400 BAD_REQUEST in JSON', async (_name, bytes) => {
    expectJsonError(await rawRequest(chat.server.url, bytes), 400, 'BAD_REQUEST');
  });

  it('answers headers over MAX_HEADER_BYTES with 431 in JSON', async () => {
    const response = await rawRequest(
      chat.server.url,
      requestHead('GET /healthz HTTP/1.1', ['Host: localhost', `x-padding: ${'a'.repeat(9000)}`]),
    );
    expectJsonError(response, 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
  });

  it('answers a WebSocket upgrade with oversized headers with 431 in JSON', async () => {
    const upgrade = requestHead('GET /graphql HTTP/1.1', [
      'Host: localhost',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Protocol: graphql-transport-ws',
      `Cookie: jwt=${'x'.repeat(9000)}`,
    ]);
    expectJsonError(await rawRequest(chat.server.url, upgrade), 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
  });

  it('accepts headers just under the limit and keeps serving', async () => {
    const response = await rawRequest(
      chat.server.url,
      requestHead('GET /healthz HTTP/1.1', ['Host: localhost', 'connection: close', `x-padding: ${'a'.repeat(7000)}`]),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });
});
