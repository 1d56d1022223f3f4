/**
 * Untrusted REST input parsed once at the edge: the JSON body (bounded in size) and
 * integer query parameters. Range rules stay in the GraphQL services.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest, badRestInput, RestError } from './rest-error.ts';
import { decodeStrictUtf8 } from '../http/strict-utf8.ts';

/** A parsed JSON request body: always an object (`{}` when the body is empty). */
export type JsonObject = Record<string, unknown>;

/**
 * Reads the body as JSON. Empty → `{}`; over `maxBytes` → 413; not UTF-8 → 400 "Request body is
 * not valid UTF-8" (never decoded with U+FFFD replacements); not JSON → 400 "Request body is not
 * valid JSON"; JSON but not an object → 400. All 400s here are BAD_REQUEST.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<JsonObject> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = decodeUtf8(Buffer.concat(chunks));
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('Request body must be a JSON object');
  }
  return parsed as JsonObject;
}

function decodeUtf8(bytes: Uint8Array): string {
  const text = decodeStrictUtf8(bytes);
  if (text === undefined) throw badRequest('Request body is not valid UTF-8');
  return text;
}

function tooLarge(maxBytes: number): RestError {
  // The rest of an oversized body is not read; close the connection rather than drain it.
  return new RestError('REQUEST_ENTITY_TOO_LARGE', `Request body is larger than ${maxBytes} bytes (MAX_BODY_BYTES)`, {
    connection: 'close',
  });
}

/**
 * A query parameter that must be a whole number ("10", "-1"), or undefined when absent
 * so the GraphQL argument's default applies. "abc", "1.5", "" or a repeated parameter → 400.
 */
export function integerParam(query: URLSearchParams, name: string): number | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw badRestInput(`${name} must be given at most once`);
  const raw = values[0] ?? '';
  if (!/^-?\d+$/.test(raw)) throw badRestInput(`${name} must be an integer; got "${raw.slice(0, 32)}"`);
  const value = Number(raw);
  // GraphQL's Int is 32-bit; beyond it no rule could accept the value anyway.
  if (Math.abs(value) > INT32_MAX) throw badRestInput(`${name} is out of range; got "${raw.slice(0, 32)}"`);
  return value;
}

const INT32_MAX = 2 ** 31 - 1;

/** An optional string field of the body; any other type → 400. */
export function optionalString(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRestInput(`${name} must be a string`);
  return value;
}

/** A required string field of the body; missing or not a string → 400. */
export function requiredString(body: JsonObject, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined) throw badRestInput(`${name} is required and must be a string`);
  return value;
}
