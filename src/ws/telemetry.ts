/**
 * What one WebSocket connection tells operators: an info line when it is acknowledged
 * (user id) and when it ends (close code, who closed, duration, operations started), a
 * debug line per frame received (type and id only: a frame's payload may hold a token),
 * and the connection series (open gauge, close codes, slow consumers).
 */
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { singleHeader } from '../auth/token-source.ts';
import { correlationIdFrom } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics, SlowConsumerReason } from '../observability/metrics.ts';

export interface ConnectionTelemetryDeps {
  logger: Logger;
  metrics?: Metrics;
}

export interface ConnectionTelemetry {
  /** The connection's id in its log lines (the upgrade's `x-request-id` when usable). */
  readonly correlationId: string;
  frame(type: string, details?: { id?: string; operationName?: string | null }): void;
  acknowledged(userId: string): void;
  operationStarted(): void;
  /** The server decided to close with `code`. */
  closing(code: number): void;
  /** The ws library failed the socket (a protocol violation); it sends the close itself. */
  protocolError(): void;
  slowConsumer(reason: SlowConsumerReason): void;
  /** The socket is closed; `code` is what the peer sent (1006 for none). */
  closed(code: number, userId: string | null): void;
}

export function openConnectionTelemetry(deps: ConnectionTelemetryDeps, request: IncomingMessage): ConnectionTelemetry {
  const { logger, metrics } = deps;
  const correlationId = correlationIdFrom(singleHeader(request, 'x-request-id'));
  const openedAt = performance.now();
  let operations = 0;
  let acknowledged = false;
  let sentCode: number | undefined;
  let serverInitiated = false;
  let ended = false;
  metrics?.wsOpened();
  logger.debug('ws connection accepted', { correlationId });

  /** The connection stops counting as open the moment either side begins closing. */
  const end = (code: number, initiator: 'server' | 'client') => {
    if (ended) return;
    ended = true;
    metrics?.wsClosed(code, initiator);
  };

  return {
    correlationId,
    frame(type, details = {}) {
      const operationName = details.operationName ? details.operationName.slice(0, 100) : undefined;
      logger.debug('ws frame', {
        correlationId,
        type,
        ...(details.id === undefined ? {} : { id: details.id.slice(0, 100) }),
        ...(operationName ? { operationName } : {}),
      });
    },
    acknowledged(userId) {
      acknowledged = true;
      logger.info('ws connection open', { correlationId, userId });
    },
    operationStarted() {
      operations += 1;
    },
    closing(code) {
      sentCode ??= code;
      serverInitiated = true;
      end(code, 'server');
    },
    protocolError() {
      serverInitiated = true;
    },
    slowConsumer(reason) {
      metrics?.slowConsumerClosed(reason);
    },
    closed(received, userId) {
      const code = sentCode ?? received;
      const initiator = serverInitiated ? 'server' : 'client';
      end(code, initiator);
      logger.info('ws connection closed', {
        correlationId,
        userId,
        code,
        initiator,
        acknowledged,
        operations,
        durationMs: Math.round(performance.now() - openedAt),
      });
    },
  };
}
