/**
 * The operations of one graphql-ws connection: each `subscribe` runs through
 * runOperation; results, events, errors and completions go back under its id. Ids are
 * unique while active, and at most WS_MAX_SUBSCRIPTIONS run at once.
 */
import { CloseCode, MessageType, type SubscribeMessage } from 'graphql-ws';
import { AppError, closeCodeFor } from '../errors.ts';
import type { ContextFactory } from '../graphql/context-factory.ts';
import { correlationIdFrom, runWithCorrelationId } from '../observability/correlation.ts';
import { EventQueue, QueueOverflowError } from '../realtime/event-queue.ts';
import { OperationTable } from './operation-table.ts';
import { PushDelivery, type PushEnd, type PushTarget } from './push-delivery.ts';
import { ServerCloseCode } from './close-codes.ts';
import type { DeliveryCount } from './delivery-count.ts';
import type { ConnectionAuth } from './connection-auth.ts';
import { runOperation, type OperationDeps, type OperationOutcome, type SubscribePayload } from './operation.ts';
import { encodeMessage, type ServerMessage } from './protocol.ts';
import { nextWireFrame, payloadBytes } from './shared-payloads.ts';

export interface OperationRunnerDeps extends OperationDeps {
  createContext: ContextFactory;
  /** WS_MAX_SUBSCRIPTIONS: operations one socket may have active at once. */
  maxActiveOperations: number;
  /** Where `next` frames are counted (shared by every connection, see delivery-count.ts). */
  deliveries: DeliveryCount;
}

type StreamOutcome = Extract<OperationOutcome, { kind: 'stream' }>;

/** What the runner needs from its connection. */
export interface OperationHost {
  readonly auth: ConnectionAuth;
  readonly closed: boolean;
  /** Sends a message (closing with 1013 when the client is too far behind). */
  write(data: string | Buffer): void;
  /** As write, for a whole text frame built by wire-frame.ts. */
  writeFrame(frame: Buffer): void;
  close(code: number, reason: string): void;
  /** Handles an error no operation should throw: 4500 and a log line. */
  fail(error: unknown): void;
}

/** One active operation; once it streams, also what its push delivery writes to and tells of its end. */
class Operation implements PushTarget, PushEnd {
  /** The source stream once it exists (stopOperation ends it). */
  stream: StreamOutcome | null = null;

  constructor(
    readonly id: string,
    private readonly runner: OperationRunner,
  ) {}

  active(): boolean {
    return this.runner.active(this);
  }

  write(payload: Buffer): boolean {
    return this.runner.writeEvent(this, payload);
  }

  pushEnded(failed: boolean, error: unknown): void {
    this.runner.streamEnded(this, failed, error);
  }
}

/** Ends the operation's source stream, if it has one yet. */
function stopOperation(operation: Operation): void {
  void operation.stream?.events.return?.();
}

export class OperationRunner {
  /** Active operations by client id. */
  private readonly operations = new OperationTable<Operation>();

  constructor(
    private readonly deps: OperationRunnerDeps,
    private readonly host: OperationHost,
  ) {}

  /** Starts a `subscribe` (the connection is acknowledged). */
  start(message: SubscribeMessage): void {
    const { id, payload } = message;
    if (this.operations.get(id)) {
      this.host.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
      return;
    }
    if (this.operations.size >= this.deps.maxActiveOperations) {
      this.host.close(
        ServerCloseCode.TooManyOperations,
        `Too many operations: at most ${this.deps.maxActiveOperations} may be active on one connection`,
      );
      return;
    }
    const operation = new Operation(id, this);
    this.operations.add(operation);
    const correlationId = correlationIdFrom(null);
    void runWithCorrelationId(correlationId, () =>
      this.run(operation, payload, correlationId)
        .catch((error: unknown) => this.onOperationError(operation, error))
        .catch((error: unknown) => this.host.fail(error)),
    );
  }

  /** Client-initiated completion: forgets the id at once (it may be reused) and ends the stream. Unknown ids are ignored. */
  complete(id: string): void {
    const operation = this.operations.get(id);
    if (!operation) return;
    this.operations.delete(id);
    stopOperation(operation);
  }

  /** Ends every operation (the connection closed). */
  dispose(): void {
    const running = this.operations.clear();
    for (const operation of running) stopOperation(operation);
  }

  /** Whether the operation is still wanted (not completed by the client, not closed). */
  active(operation: Operation): boolean {
    return !this.host.closed && this.operations.get(operation.id) === operation;
  }

  private async run(operation: Operation, payload: SubscribePayload, correlationId: string): Promise<void> {
    const { id } = operation;
    const context = await this.deps.createContext(this.host.auth.token, correlationId, this.host.auth.control);
    const outcome = await runOperation(this.deps, context, payload);
    if (outcome.kind === 'stream') operation.stream = outcome;
    if (!this.active(operation)) {
      if (outcome.kind === 'stream') outcome.release();
      return stopOperation(operation);
    }
    if (outcome.kind === 'errors') {
      this.operations.delete(id);
      return this.send({ id, type: MessageType.Error, payload: outcome.errors });
    }
    if (outcome.kind === 'result') {
      this.send({ id, type: MessageType.Next, payload: outcome.result });
      return this.finish(operation);
    }
    this.stream(operation, outcome);
  }

  /**
   * Delivers the stream's events until it ends. Nothing waits on it: an idle subscription
   * holds its delivery and its operation, no promise and no closure.
   */
  private stream(operation: Operation, outcome: StreamOutcome): void {
    this.deps.metrics?.subscriptionStarted('ws');
    if (outcome.events instanceof EventQueue) {
      const delivery = new PushDelivery(outcome.events, outcome, operation);
      try {
        delivery.start(operation);
      } catch (error) {
        delivery.error(error);
      }
      return;
    }
    this.pull(operation, outcome).then(
      () => this.streamEnded(operation, false, null),
      (error: unknown) => this.streamEnded(operation, true, error),
    );
  }

  /** The stream ended (or failed with `error`): releases what it shares, then completes or reports the operation. */
  streamEnded(operation: Operation, failed: boolean, error: unknown): void {
    try {
      operation.stream?.release();
      if (!failed) this.finish(operation);
      this.deps.metrics?.subscriptionEnded('ws');
      if (failed) this.onOperationError(operation, error);
    } catch (unexpected) {
      this.host.fail(unexpected);
    }
  }

  /** Any other source stream (not the real-time layer's queue): one event at a time. */
  private async pull(operation: Operation, outcome: StreamOutcome): Promise<void> {
    const { events } = outcome;
    for (;;) {
      const step = await events.next();
      if (step.done || !this.active(operation)) break;
      const bytes = await payloadBytes(outcome.payloadFor(step.value));
      if (!this.writeEvent(operation, bytes)) return;
    }
    await events.return?.();
  }

  /** Writes one event's frame; false (nothing written) once the operation is not wanted or the token expired. */
  writeEvent(operation: Operation, payload: Buffer): boolean {
    if (!this.active(operation)) return false;
    if (this.host.auth.expired()) {
      this.host.close(CloseCode.Forbidden, 'Forbidden: token expired');
      return false;
    }
    this.host.writeFrame(nextWireFrame(operation.id, payload));
    this.deps.deliveries.count();
    return true;
  }

  private onOperationError(operation: Operation, error: unknown): void {
    if (error instanceof QueueOverflowError) {
      this.deps.metrics?.slowConsumerClosed('event_queue');
      this.host.close(ServerCloseCode.TryAgainLater, error.message);
      return;
    }
    if (error instanceof AppError && error.code === 'UNAUTHENTICATED') {
      // The connection's credentials are gone: the close code comes from the one error table (4403).
      this.host.close(closeCodeFor('UNAUTHENTICATED'), `Forbidden: ${error.message}`);
      return;
    }
    if (!this.active(operation)) return;
    this.operations.delete(operation.id);
    this.send({ id: operation.id, type: MessageType.Error, payload: [this.deps.maskError(error)] });
  }

  /** Server-side completion; nothing is sent for operations the client already completed. */
  private finish(operation: Operation): void {
    if (!this.active(operation)) return;
    this.operations.delete(operation.id);
    this.send({ id: operation.id, type: MessageType.Complete });
  }

  private send(message: ServerMessage): void {
    if (!this.host.closed) this.host.write(encodeMessage(message));
  }
}
