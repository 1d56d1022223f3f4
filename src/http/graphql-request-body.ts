/**
 * GraphQL-over-HTTP request bodies, bounded and decoded before Yoga parses them: at most
 * MAX_BODY_BYTES (413 REQUEST_ENTITY_TOO_LARGE, with or without Content-Length), and a
 * textual body (JSON, application/graphql, form) must be valid UTF-8 (400 BAD_REQUEST), so
 * invalid bytes are never parsed as U+FFFD and stored. Replaces Yoga's `maxRequestBodySize`,
 * which cannot tell the REST shim's in-process requests (already bounded at the edge) apart.
 */
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { decodeStrictUtf8 } from './strict-utf8.ts';

export interface RequestBodyOptions {
  /** Largest body in bytes (MAX_BODY_BYTES, default 262144). */
  maxBytes: number;
}

export function boundRequestBody(options: RequestBodyOptions): Plugin {
  return {
    onRequestParse({ request, serverContext, requestParser, setRequestParser, fetchAPI }) {
      if ((serverContext as { internalRequest?: unknown }).internalRequest === true) return;
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (!/^\d+$/.test(declared)) throw badRequest('Content-Length header is invalid.');
        if (Number(declared) > options.maxBytes) throw tooLarge(options.maxBytes);
      }
      if (!requestParser) return;
      const parse = requestParser;
      const hasBody = request.body !== null;
      setRequestParser(async (incoming) => {
        let input = incoming;
        if (hasBody) {
          const bytes = await readAtMost(incoming, options.maxBytes);
          if (!isMultipart(incoming)) assertUtf8(bytes);
          input = new fetchAPI.Request(incoming.url, {
            method: incoming.method,
            headers: incoming.headers,
            signal: incoming.signal,
            body: bytes,
          });
        }
        try {
          return await parse(input);
        } catch (error) {
          // Yoga's GET parser JSON.parses `variables` and `extensions` unguarded.
          if (error instanceof GraphQLError) throw error;
          throw badRequest('Request parameters are not valid: `variables` and `extensions` must be JSON objects');
        }
      });
    },
  };
}

async function readAtMost(request: Request, maxBytes: number): Promise<Buffer<ArrayBuffer>> {
  const reader = request.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function isMultipart(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/');
}

function assertUtf8(bytes: Uint8Array): void {
  if (decodeStrictUtf8(bytes) === undefined) throw badRequest('Request body is not valid UTF-8');
}

function badRequest(message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

function tooLarge(maxBytes: number): GraphQLError {
  return createGraphQLError(`Request body is larger than ${maxBytes} bytes (MAX_BODY_BYTES)`, {
    extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413 } },
  });
}
