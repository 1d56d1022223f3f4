/** Calls the legacy REST routes of a test server with real fetch, as a user or anonymously. */
import { STATUS_CODES } from 'node:http';
import { expect } from 'vitest';
import { httpStatusOf, isErrorCode } from '../../src/errors.ts';
import type { RestErrorBody } from '../../src/rest/rest-error.ts';
import type { ChatFixture } from './chat-fixture.ts';

export interface RestResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RestCallOptions {
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
  /** Serialized as JSON. */
  body?: unknown;
  /** Sent as is (for malformed bodies); wins over `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A message as the REST routes return it. */
export interface RestMessage {
  id: string;
  sessionId: string;
  role: string;
  content: string;
  metadata: Record<string, unknown> | null;
  timestamp: string;
  seq: number;
  authorId: string;
  editedAt: string | null;
  clientMessageId: string | null;
}

export type { RestErrorBody };

export interface RestClient {
  /** Calls `method path` with a token minted for `userId`. */
  as<T = unknown>(userId: string, method: string, path: string, options?: RestCallOptions): Promise<RestResponse<T>>;
  /** Calls `method path` with only what `options` carries (no token unless given). */
  call<T = unknown>(method: string, path: string, options?: RestCallOptions): Promise<RestResponse<T>>;
}

/** A client bound to the fixture's server (resolved per call, so it can be made at describe time). */
export function useRestClient(chat: ChatFixture): RestClient {
  const client: RestClient = {
    async as(userId, method, path, options = {}) {
      const token = await chat.server.token(userId);
      return client.call(method, path, { token, ...options });
    },
    call: (method, path, options = {}) => restCall(chat.server.url, method, path, options),
  };
  return client;
}

/** One REST call; the body is parsed as JSON when there is one. */
export async function restCall<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: RestCallOptions = {},
): Promise<RestResponse<T>> {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

/**
 * Asserts a legacy error response: the status, `{ statusCode, message, error, code, correlationId }`
 * with a code the error table maps to that status, and the same correlation id in the
 * `x-correlation-id` header.
 */
export function expectRestError(response: RestResponse, status: number, message?: string | RegExp): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: {
      statusCode: status,
      message: expect.any(String),
      error: STATUS_CODES[status],
      code: expect.any(String),
      correlationId: expect.any(String),
    },
  });
  const body = response.body as RestErrorBody;
  expect(isErrorCode(body.code) && httpStatusOf(body.code), `code ${body.code}`).toBe(status);
  expect(response.headers.get('x-correlation-id')).toBe(body.correlationId);
  if (message !== undefined) expect(body.message).toMatch(message);
}
