/**
 * The legacy REST shim as a node (req, res) handler: parse the request, run the route's
 * GraphQL document through Yoga, answer with the legacy shape, status and error format.
 * Runs inside the request's correlation scope (see app.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { singleHeader } from '../auth/token-source.ts';
import { isErrorCode } from '../errors.ts';
import { describeFailure } from '../http/describe-failure.ts';
import { unexpectedErrorMessage } from '../http/error-response.ts';
import { currentCorrelationId } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import { runGraphQL, type GraphQLEndpoint, type GraphQLOutcome } from './graphql-runner.ts';
import { buildOpenApiDocument, OPENAPI_PATH } from './openapi.ts';
import { readJsonBody } from './request-input.ts';
import { RestError, restErrorBody } from './rest-error.ts';
import { matchRoute } from './route-matcher.ts';
import { restRoutes, type RestRoute } from './routes.ts';

export interface RestHandlerOptions {
  /** The app's Yoga instance: every route runs through it. */
  yoga: GraphQLEndpoint;
  /** Largest JSON body accepted, in bytes (MAX_BODY_BYTES, the limit GraphQL uses too); larger answers 413. */
  maxBodyBytes: number;
  /** Cookie that may carry the JWT, as documented in the OpenAPI document (default `jwt`). */
  cookieName?: string;
  /** Receives unexpected failures (default: none). */
  logger?: Logger;
  /** The route table (default: the legacy routes). */
  routes?: readonly RestRoute[];
  /**
   * Checks the caller's token before the route validates its input, as NestJS guards run
   * before pipes: a request without a valid token answers 401 even when its input is bad.
   * Throws RestError('UNAUTHENTICATED'). Default: none (GraphQL checks the token anyway).
   */
  authenticate?: (req: IncomingMessage) => Promise<void>;
}

export type RestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

type GraphQLFailure = Extract<GraphQLOutcome, { ok: false }>;

/** Whether a request URL belongs to the REST shim: `/chat` and everything below it. */
export function isRestPath(url: string | undefined): boolean {
  return url !== undefined && /^\/chat(?:[/?#]|$)/.test(url);
}

/** Builds the REST handler; it never rejects (failures become error responses). */
export function createRestHandler(options: RestHandlerOptions): RestHandler {
  const routes = options.routes ?? restRoutes;
  const { maxBodyBytes } = options;
  const openApi = buildOpenApiDocument(routes, { cookieName: options.cookieName ?? 'jwt' });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://internal');
    if (url.pathname === OPENAPI_PATH || url.pathname === `${OPENAPI_PATH}/`) {
      if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
      return sendJson(res, 200, openApi);
    }
    const match = matchRoute(routes, method, url.pathname);
    if (match.kind === 'not-found') throw new RestError('NOT_FOUND', `Cannot ${method} ${shorten(url.pathname)}`);
    if (match.kind === 'wrong-method') throw methodNotAllowed(method, match.allowed);

    const { route, params } = match;
    // Like NestJS: the body parser (bad JSON, 400) runs before the guard (401), validation after.
    const body = route.body ? await readJsonBody(req, maxBodyBytes) : {};
    await options.authenticate?.(req);
    const header = (name: string) => singleHeader(req, name);
    const variables = route.variables({ params, query: url.searchParams, body, header });
    const outcome = await runGraphQL(options.yoga, route.document, variables, req.headers);
    if (outcome.ok) return sendJson(res, route.success.status, route.respond(outcome.data));

    const correlationId = outcome.correlationId ?? currentCorrelationId();
    sendError(res, restErrorFor(outcome, route, correlationId, options.logger), correlationId);
  }

  return async (req, res) => {
    try {
      await answer(req, res);
    } catch (error) {
      const correlationId = currentCorrelationId();
      if (error instanceof RestError) return sendError(res, error, correlationId);
      if (res.headersSent || req.destroyed) return;
      options.logger?.error('unexpected REST error', { correlationId, error: describeFailure(error) });
      sendError(res, new RestError('INTERNAL_SERVER_ERROR', unexpectedErrorMessage(correlationId)), correlationId);
    }
  };
}

/**
 * The REST error for a failed operation: the status from the shared code table and the
 * GraphQL message (already masked). A code outside the table, or a parse or validation
 * failure, means GraphQL rejected our own document: a server bug, logged and answered as
 * a masked 500.
 */
function restErrorFor(failure: GraphQLFailure, route: RestRoute, correlationId: string, logger?: Logger): RestError {
  const { code, message, retryAfterSeconds } = failure;
  if (isErrorCode(code) && !ROUTE_DOCUMENT_FAILURES.has(code)) {
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
    return new RestError(code, message, headers);
  }
  logger?.error('REST route document was rejected by GraphQL', { correlationId, route: route.operationId, code, message });
  return new RestError('INTERNAL_SERVER_ERROR', unexpectedErrorMessage(correlationId));
}

/** Codes that can only mean the route's own GraphQL document is broken. */
const ROUTE_DOCUMENT_FAILURES = new Set<string>(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'OPERATION_RESOLUTION_FAILURE']);

function methodNotAllowed(method: string, allowed: readonly string[]): RestError {
  const choices = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed.join('');
  return new RestError('METHOD_NOT_ALLOWED', `Method ${method} is not allowed here; use ${choices}`, {
    allow: allowed.join(', '),
  });
}

function shorten(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

function sendError(res: ServerResponse, error: RestError, correlationId: string): void {
  if (res.headersSent) return;
  const headers = { ...error.headers, 'x-correlation-id': correlationId };
  sendJson(res, error.status, restErrorBody(error.code, error.message, correlationId), headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'x-correlation-id': currentCorrelationId(),
    ...headers,
    'content-type': 'application/json; charset=utf-8',
  });
  res.end(JSON.stringify(body));
}
