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
  return new Telemetry(deps, correlationIdFrom(singleHeader(request, 'x-request-id')));
}

/** A class, not closures: an idle connection holds one small object for its telemetry. */
class Telemetry implements ConnectionTelemetry {
  private readonly openedAt = performance.now();
  private operations = 0;
  private isAcknowledged = false;
  private sentCode: number | undefined;
  private serverInitiated = false;
  private ended = false;

  constructor(
    private readonly deps: ConnectionTelemetryDeps,
    readonly correlationId: string,
  ) {
    deps.metrics?.wsOpened();
    deps.logger.debug('ws connection accepted', { correlationId });
  }

  frame(type: string, details: { id?: string; operationName?: string | null } = {}): void {
    const operationName = details.operationName ? details.operationName.slice(0, 100) : undefined;
    this.deps.logger.debug('ws frame', {
      correlationId: this.correlationId,
      type,
      ...(details.id === undefined ? {} : { id: details.id.slice(0, 100) }),
      ...(operationName ? { operationName } : {}),
    });
  }

  acknowledged(userId: string): void {
    this.isAcknowledged = true;
    this.deps.logger.info('ws connection open', { correlationId: this.correlationId, userId });
  }

  operationStarted(): void {
    this.operations += 1;
  }

  closing(code: number): void {
    this.sentCode ??= code;
    this.serverInitiated = true;
    this.end(code, 'server');
  }

  protocolError(): void {
    this.serverInitiated = true;
  }

  slowConsumer(reason: SlowConsumerReason): void {
    this.deps.metrics?.slowConsumerClosed(reason);
  }

  closed(received: number, userId: string | null): void {
    const code = this.sentCode ?? received;
    const initiator = this.serverInitiated ? 'server' : 'client';
    this.end(code, initiator);
    this.deps.logger.info('ws connection closed', {
      correlationId: this.correlationId,
      userId,
      code,
      initiator,
      acknowledged: this.isAcknowledged,
      operations: this.operations,
      durationMs: Math.round(performance.now() - this.openedAt),
    });
  }

  /** The connection stops counting as open the moment either side begins closing. */
  private end(code: number, initiator: 'server' | 'client'): void {
    if (this.ended) return;
    this.ended = true;
    this.deps.metrics?.wsClosed(code, initiator);
  }
}
