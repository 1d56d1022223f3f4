/**
 * `GET /metrics` in the Prometheus text format, guarded as configured: with METRICS_TOKEN
 * set it requires `Authorization: Bearer <token>` (401 otherwise); without one it is open,
 * except on the main port in production (403: set METRICS_TOKEN or METRICS_PORT). With
 * METRICS_PORT set, the main port answers 404 for /metrics and a listener of its own
 * (metricsServer) serves it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { singleHeader } from '../auth/token-source.ts';
import { correlationIdFrom, currentCorrelationId, runWithCorrelationId } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import type { MetricsRegistry } from '../observability/metrics.ts';
import { describeFailure } from './describe-failure.ts';
import { sendHttpError, unexpectedErrorMessage } from './error-response.ts';
import type { HealthHandler } from './health.ts';

export const METRICS_PATH = '/metrics';

export interface MetricsEndpointOptions {
  registry: Pick<MetricsRegistry, 'render'>;
  /** METRICS_TOKEN: the bearer token a scrape must send; unset: no token asked. */
  token?: string;
  /** Whether /metrics may be served without a token (false on the main port in production). */
  openWithoutToken: boolean;
  /** /metrics is served by a listener of its own: this one answers 404. */
  servedElsewhere?: boolean;
}

/** Answers /metrics (resolves true), or resolves false for any other path. */
export function createMetricsEndpoint(options: MetricsEndpointOptions): HealthHandler {
  const expected = options.token === undefined ? undefined : digest(options.token);
  return async (req, res) => {
    if ((req.url ?? '').split('?')[0] !== METRICS_PATH) return false;
    const correlationId = currentCorrelationId();
    if (options.servedElsewhere) {
      sendHttpError(res, 'NOT_FOUND', 'Not found: metrics are served on METRICS_PORT', { correlationId });
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendHttpError(res, 'METHOD_NOT_ALLOWED', 'Use GET for /metrics', { correlationId });
      return true;
    }
    if (expected) {
      if (!bearerMatches(req, expected)) {
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        sendHttpError(res, 'UNAUTHENTICATED', 'Send Authorization: Bearer <METRICS_TOKEN> to read /metrics', { correlationId });
        return true;
      }
    } else if (!options.openWithoutToken) {
      sendHttpError(res, 'FORBIDDEN', 'Metrics are not exposed on this port in production; set METRICS_TOKEN or METRICS_PORT', {
        correlationId,
      });
      return true;
    }
    const { contentType, text } = await options.registry.render();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
    return true;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison of the presented bearer token with the expected one. */
function bearerMatches(req: IncomingMessage, expected: Buffer): boolean {
  const header = singleHeader(req, 'authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), expected);
}

/** The METRICS_PORT listener: /metrics and nothing else (404), contained like the main handler. */
export function createMetricsServer(endpoint: HealthHandler, logger: Logger, maxHeaderSize: number): Server {
  const serve = async (req: IncomingMessage, res: ServerResponse, correlationId: string) => {
    if (await endpoint(req, res)) return;
    sendHttpError(res, 'NOT_FOUND', 'Not found: this port serves /metrics only', { correlationId });
  };
  return createServer({ maxHeaderSize }, (req, res) => {
    const correlationId = correlationIdFrom(singleHeader(req, 'x-request-id'));
    runWithCorrelationId(correlationId, () =>
      serve(req, res, correlationId).catch((error: unknown) => {
        logger.error('unexpected error while serving /metrics', { error: describeFailure(error) });
        sendHttpError(res, 'INTERNAL_SERVER_ERROR', unexpectedErrorMessage(correlationId), { correlationId });
      }),
    );
  });
}
