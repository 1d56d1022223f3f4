/**
 * The http server's request listener: every inbound request runs in its correlation scope
 * and inside containment. The Host header and request target are checked (400 otherwise),
 * then health, metrics, REST or GraphQL answers, and an access log line is written when
 * the response ends. Whatever throws or rejects on the way answers that one request 500
 * with the correlation id (logged with the stack) and never reaches uncaughtException or
 * unhandledRejection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { singleHeader } from '../auth/token-source.ts';
import { correlationIdFrom, runWithCorrelationId } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import { noMetrics, type Metrics } from '../observability/metrics.ts';
import { isRestPath } from '../rest/handler.ts';
import { recordAccess } from './access-log.ts';
import { describeFailure } from './describe-failure.ts';
import { sendHttpError, unexpectedErrorMessage } from './error-response.ts';
import type { HealthHandler } from './health.ts';
import type { RequestTracker } from './request-tracker.ts';
import { GRAPHIQL_ASSET_PREFIX } from './graphiql.ts';
import { parseRequestTarget, type TargetUrl } from './request-target.ts';

/** A Node (req, res) handler; may return a promise, which is awaited inside containment. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface RequestHandlerOptions {
  health: HealthHandler;
  /** `/metrics` (see metrics-endpoint.ts); answers like `health`: true once it has answered. Default: none. */
  metricsEndpoint?: HealthHandler;
  /** `GET /`: where the endpoints are (see landing.ts). Default: none. */
  landing?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The demo chat page under `/demo` (see demo-page.ts; outside production). Default: none. */
  demo?: HealthHandler;
  /** The REST shim, for `/chat` and below. */
  rest: NodeHandler;
  /** GraphQL over HTTP (Yoga) for every other path. */
  graphql: NodeHandler;
  /** Socket.IO's engine: long-polling requests under its path (see src/socketio/server.ts). Default: none. */
  socketIo?: { serves(pathname: string): boolean; handleRequest: NodeHandler };
  requests: RequestTracker;
  /** True once shutdown has begun: each response then closes its keep-alive connection. */
  stopping: () => boolean;
  logger: Logger;
  /** Receives one sample per request (count and latency by route, method and status). Default: none recorded. */
  metrics?: Metrics;
}

export function createRequestHandler(options: RequestHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  async function serve(req: IncomingMessage, res: ServerResponse, correlationId: string): Promise<void> {
    options.requests.track(req, res);
    recordAccess(req, res, options.logger, options.metrics ?? noMetrics);
    if (options.stopping()) res.setHeader('connection', 'close');
    const target = parseRequestTarget(req);
    if (!target.ok) {
      sendHttpError(res, 'BAD_REQUEST', target.message, { correlationId, rest: isRestPath(req.url) });
      return;
    }
    useOriginForm(req, target.url);
    if (await options.health(req, res)) return;
    if (await options.metricsEndpoint?.(req, res)) return;
    if (options.landing?.(req, res)) return;
    if (await options.demo?.(req, res)) return;
    if (options.socketIo?.serves(target.url.pathname)) options.socketIo.handleRequest(req, res);
    else if (isRestPath(req.url)) await options.rest(req, res);
    else if (servedByYoga(target.url.pathname)) await options.graphql(req, res);
    else
      sendHttpError(res, 'NOT_FOUND', `Nothing is served at ${truncatePath(target.url.pathname)}; GET / lists the endpoints`, {
        correlationId,
        rest: false,
      });
  }

  function answerUnexpected(req: IncomingMessage, res: ServerResponse, correlationId: string, error: unknown): void {
    try {
      options.logger.error('unexpected error while handling an HTTP request', {
        correlationId,
        method: req.method,
        error: describeFailure(error),
      });
    } catch {
      // A failing logger must not keep the client from its answer.
    }
    try {
      sendHttpError(res, 'INTERNAL_SERVER_ERROR', unexpectedErrorMessage(correlationId), { correlationId, rest: isRestPath(req.url) });
    } catch {
      res.destroy();
    }
  }

  return (req, res) => {
    const correlationId = correlationIdFrom(singleHeader(req, 'x-request-id'));
    runWithCorrelationId(correlationId, () => {
      serve(req, res, correlationId).catch((error: unknown) => answerUnexpected(req, res, correlationId, error));
    });
  };
}

/**
 * An absolute-form target (`POST http://host/graphql`) is rewritten to the origin form,
 * with Host set to its authority (RFC 9112 §3.2.2), so GraphQL and REST see one shape.
 */
function useOriginForm(req: IncomingMessage, url: TargetUrl): void {
  if (req.url?.startsWith('/')) return;
  req.url = `${url.pathname}${url.search}`;
  req.headers.host = url.host;
}

/** Yoga answers /graphql (HTTP, SSE, GraphiQL) and GraphiQL's assets; every other path is ours to refuse. */
function servedByYoga(pathname: string): boolean {
  return pathname === '/graphql' || pathname.startsWith(GRAPHIQL_ASSET_PREFIX);
}

/** Paths are echoed in the 404 message; a hostile 8 KiB path is not echoed whole. */
function truncatePath(pathname: string): string {
  return pathname.length > 80 ? `${pathname.slice(0, 80)}…` : pathname;
}
