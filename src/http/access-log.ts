/**
 * One access log line and one metrics sample per HTTP request, written when its response
 * ends (or its connection closes first: `aborted: true`). The path is logged without its
 * query string (which may hold a token or a whole GraphQL document); probes and scrapes
 * (/healthz, /readyz, /metrics) are logged at debug so they do not drown the rest.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { currentScope } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import { currentTraceId } from '../observability/tracing.ts';
import { routeLabel } from './route-label.ts';
import type { Metrics } from '../observability/metrics.ts';

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const MAX_LOGGED_PATH = 200;

/** Watches the response; call once, inside the request's correlation scope. */
export function recordAccess(req: IncomingMessage, res: ServerResponse, logger: Logger, metrics: Metrics): void {
  const scope = currentScope();
  // Read now: the response's close event runs outside the request's span.
  const traceId = currentTraceId();
  const startedAt = scope?.startedAt ?? performance.now();
  res.once('close', () => {
    try {
      write();
    } catch {
      // The response is over; a failing logger or metric must not reach the event loop.
    }
  });
  function write(): void {
    const seconds = (performance.now() - startedAt) / 1000;
    const path = (req.url ?? '').split('?')[0] ?? '';
    const route = routeLabel(path);
    const aborted = !res.writableFinished;
    metrics.httpRequest(route, req.method, res.statusCode, seconds);
    const fields = {
      correlationId: scope?.correlationId,
      ...(traceId ? { traceId } : {}),
      method: req.method,
      path: path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path,
      route,
      status: res.statusCode,
      durationMs: Math.round(seconds * 10000) / 10,
      userId: scope?.userId ?? null,
      ...(aborted ? { aborted } : {}),
    };
    if (QUIET_ROUTES.has(route)) logger.debug('http request', fields);
    else logger.info('http request', fields);
  }
}
