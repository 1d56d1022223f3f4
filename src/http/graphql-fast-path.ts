/**
 * `/graphql` over HTTP, with a shorter road for the common request: a JSON POST of a query
 * or mutation whose document Yoga has accepted before (accepted-documents.ts). Yoga turns
 * every Node request into a fetch Request (an AbortController, a Headers copy, a body
 * stream) and its answer back into a Node response; for this request the fast path reads
 * the body itself, skips parse and validation, and runs Yoga's own envelop
 * pipeline (context, execution hooks, error masking, telemetry), answering with Yoga's
 * result processor when errors are involved, so the bytes, status and headers are Yoga's.
 *
 * Everything else goes to Yoga untouched, and so do requests the fast path starts and then
 * finds are not its kind (a new or refused document, a body that is not the expected JSON):
 * their body, already read, is handed to Yoga as the request's parsed body, which Yoga's
 * Node adapter reads instead of the stream. Tracing turns the fast path off (Yoga's
 * request spans need Yoga's request pipeline).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { processRegularResult } from 'graphql-yoga';
import { tokenFromHeaders } from '../auth/token-source.ts';
import type { AcceptedDocuments } from '../graphql/accepted-documents.ts';
import type { ContextFactory } from '../graphql/context-factory.ts';
import type { ChatYoga } from '../graphql/yoga.ts';
import { currentCorrelationId } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import { describeFailure } from './describe-failure.ts';
import { errorResponseParts, unexpectedErrorMessage } from './error-response.ts';
import { decodeStrictUtf8 } from './strict-utf8.ts';
import { endAtEndOfTurn } from './turn-responses.ts';

export interface GraphQLHttpOptions {
  yoga: ChatYoga;
  createContext: ContextFactory;
  cookieName: string;
  /** MAX_BODY_BYTES: a longer body is Yoga's to refuse. */
  maxBodyBytes: number;
  /** What Yoga accepted before (parsed and validated without an error). */
  documents: AcceptedDocuments;
  /** Masks result errors not masked yet (validation errors never are; see yoga.ts). */
  maskResult: (result: ExecutionResult) => ExecutionResult;
  logger: Logger;
  /** False sends every request through Yoga (tracing is on). */
  fastPath: boolean;
}

/** Documents with their operations looked up; past this many the cache starts over. */
const DOCUMENT_CACHE_SIZE = 1000;

interface AcceptedDocument {
  document: DocumentNode;
  /** The operation each operationName (or '' for none) selects; only queries and mutations. */
  runnable: Map<string, boolean>;
}

/** Yoga's media types for a single result, in the order its result processor tries them. */
const REGULAR_MEDIA_TYPES = ['application/graphql-response+json', 'application/json'];
const JSON_CONTENT_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

export function createGraphQLHttpHandler(options: GraphQLHttpOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { yoga } = options;
  const accepted = new Map<string, AcceptedDocument>();
  const toYoga = (req: IncomingMessage, res: ServerResponse) => yoga(req, res) as unknown as Promise<void>;

  /** The media type of the answer, or undefined when the request is not the fast path's kind. */
  function eligible(req: IncomingMessage): string | undefined {
    if (req.method !== 'POST' || req.url !== '/graphql') return undefined;
    const { headers } = req;
    const mediaType = negotiatedMediaType(headers.accept);
    if (mediaType === undefined) return undefined;
    const contentType = headers['content-type'];
    if (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType)) return undefined;
    // CORS (Yoga answers with its headers), compressed bodies (Yoga inflates them).
    if (headers.origin !== undefined || headers['content-encoding'] !== undefined) return undefined;
    const length = headers['content-length'];
    if (length === undefined || !/^\d+$/.test(length) || Number(length) === 0 || Number(length) > options.maxBodyBytes) return undefined;
    return mediaType;
  }

  /** The document when Yoga accepted its text before. */
  function acceptedDocument(params: FastParams): AcceptedDocument | undefined {
    const known = accepted.get(params.query);
    if (known) return known;
    const document = options.documents.get(params.query);
    if (!document) return undefined;
    if (accepted.size >= DOCUMENT_CACHE_SIZE) accepted.clear();
    const entry = { document, runnable: new Map<string, boolean>() };
    accepted.set(params.query, entry);
    return entry;
  }

  function isRunnable(entry: AcceptedDocument, operationName: string | undefined): boolean {
    const key = operationName ?? '';
    let runnable = entry.runnable.get(key);
    if (runnable === undefined) {
      const operation = getOperationAST(entry.document, operationName);
      runnable = operation !== null && operation !== undefined && operation.operation !== 'subscription';
      entry.runnable.set(key, runnable);
    }
    return runnable;
  }

  async function answer(req: IncomingMessage, res: ServerResponse, mediaType: string, params: FastParams, entry: AcceptedDocument) {
    const correlationId = currentCorrelationId();
    try {
      const context = await options.createContext(
        tokenFromHeaders((name) => headerValue(req, name), options.cookieName),
        correlationId,
      );
      const enveloped = yoga.getEnveloped({ wsContext: context, params } as never);
      const result = options.maskResult(
        (await enveloped.execute({
          schema: enveloped.schema,
          document: entry.document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
        })) as ExecutionResult,
      );
      if (!result.errors?.length && result.extensions === undefined) {
        const text = JSON.stringify(result);
        res.writeHead(200, {
          'content-type': `${mediaType}; charset=utf-8`,
          'content-length': Buffer.byteLength(text),
          'x-correlation-id': correlationId,
        });
        endAtEndOfTurn(res, text);
        return;
      }
      const response = processRegularResult(result, yoga.fetchAPI, mediaType);
      const text = await response.text();
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      res.writeHead(response.status, { ...headers, 'content-length': Buffer.byteLength(text), 'x-correlation-id': correlationId });
      res.end(text);
    } catch (error) {
      // What containGraphQLFailures answers inside Yoga.
      try {
        options.logger.error('unexpected error while handling a GraphQL request', { correlationId, error: describeFailure(error) });
      } catch {
        // A failing logger must not keep the client from its answer.
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const { status, text, headers } = errorResponseParts('INTERNAL_SERVER_ERROR', unexpectedErrorMessage(correlationId), {
        correlationId,
      });
      res.writeHead(status, headers);
      res.end(text);
    }
  }

  return async (req, res) => {
    const mediaType = options.fastPath ? eligible(req) : undefined;
    if (mediaType === undefined) return toYoga(req, res);
    const body = await readBody(req, options.maxBodyBytes);
    if (body === undefined) {
      res.destroy();
      return;
    }
    const params = fastParams(body);
    const entry = params ? acceptedDocument(params) : undefined;
    if (!params || !entry || !isRunnable(entry, params.operationName)) {
      // Yoga's Node adapter takes a Buffer `body` on the request as the body already read.
      (req as IncomingMessage & { body?: Buffer }).body = body;
      return toYoga(req, res);
    }
    return answer(req, res, mediaType, params, entry);
  };
}

/**
 * The media type Yoga answers a query or mutation result with, for this Accept header,
 * decided as Yoga's result processors decide it (plugins/result-processor/accept.js and
 * use-result-processor.js: the header's entries last to first, each trying both types, the
 * last match wins). Undefined when neither JSON type matches (Yoga answers 406 or streams).
 */
export function negotiatedMediaType(accept: string | undefined): string | undefined {
  const entries = (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',').reverse();
  let chosen: string | undefined;
  for (const entry of entries) {
    const [mediaType, ...params] = entry.split(';');
    if (mediaType === undefined) continue;
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    const [askedType, askedSubtype] = mediaType.split('/');
    for (const candidate of REGULAR_MEDIA_TYPES) {
      const [type, subtype] = candidate.split('/');
      if ((askedType === '*' || askedType === type) && (askedSubtype === '*' || askedSubtype === subtype)) chosen = candidate;
    }
  }
  return chosen;
}

interface FastParams {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/** The request's GraphQL parameters when the body is plain JSON of the usual shape; undefined leaves it to Yoga. */
function fastParams(body: Buffer): FastParams | undefined {
  const text = decodeStrictUtf8(body);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { query, operationName, variables, ...rest } = parsed as Record<string, unknown>;
  for (const _key in rest) return undefined;
  if (typeof query !== 'string') return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  return {
    query,
    operationName: operationName ?? undefined,
    variables: (variables as Record<string, unknown> | null) ?? undefined,
  };
}

/** The whole body (its Content-Length was checked), or undefined when the client went away. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: Buffer | undefined) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('aborted', onGone);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return done(undefined);
      chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onGone = () => done(undefined);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('aborted', onGone);
  });
}

/** A header as fetch's Headers.get gives it (Yoga's context reads the token that way). */
function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
