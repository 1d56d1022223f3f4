/**
 * One graphql-ws (graphql-transport-ws) connection: the protocol state machine, token
 * expiry and in-band refresh, and the subscriptions it runs. Frames for `next` are
 * built from payload bytes shared across subscribers.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.ts';
import { tokenFromRequest } from '../auth/token-source.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { ConnectionControl } from '../context.ts';
import { AppError, forbidden } from '../errors.ts';
import type { ContextFactory } from '../graphql/context-factory.ts';
import { correlationIdFrom, runWithCorrelationId } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import { QueueOverflowError } from '../realtime/event-queue.ts';
import { CloseCode } from './close-codes.ts';
import { runOperation, type OperationDeps, type SubscribePayload } from './operation.ts';
import { nextFrameWriter } from './shared-payloads.ts';

export interface ConnectionDeps extends OperationDeps {
  createContext: ContextFactory;
  verifyToken: TokenVerifier;
  cookieName: string;
  logger: Logger;
  connectionInitTimeoutMs: number;
  maxBufferedBytes: number;
  /** Claims a per-user connection slot; returns the release function, or null when the user is at the limit. */
  claimSlot(userId: string): (() => void) | null;
}

/** How long a peer has to answer our close frame before the TCP connection is dropped. */
const CLOSE_HANDSHAKE_GRACE_MS = 1000;

interface Operation {
  id: string;
  /** Ends the source stream once it exists. */
  stopStream: (() => void) | null;
  /** Client-initiated completion: forgets the id at once (it may be reused) and ends the stream. */
  stop: () => void;
}

interface ClientMessage {
  type: string;
  id?: unknown;
  payload?: unknown;
}

export class GraphQLWsConnection {
  private principal: Principal | null = null;
  private token: string | undefined;
  private initReceived = false;
  private releaseSlot: (() => void) | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private readonly initTimer: NodeJS.Timeout;
  /** Active operations by client id. */
  private readonly operations = new Map<string, Operation>();
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly request: IncomingMessage,
    private readonly deps: ConnectionDeps,
  ) {
    this.initTimer = setTimeout(
      () => this.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout'),
      deps.connectionInitTimeoutMs,
    );
    socket.on('message', (data, isBinary) => this.onMessage(isBinary ? null : data.toString()));
    socket.on('close', () => this.dispose());
    socket.on('error', () => this.dispose());
  }

  /**
   * Closes the socket with a code and reason (capped at 123 bytes by the protocol). A peer
   * that does not answer the close handshake (a stalled reader) is cut off shortly after.
   */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, Buffer.from(reason).subarray(0, 123).toString());
    setTimeout(() => this.socket.terminate(), CLOSE_HANDSHAKE_GRACE_MS).unref();
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.initTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const running = [...this.operations.values()];
    this.operations.clear();
    for (const operation of running) operation.stopStream?.();
    this.releaseSlot?.();
    this.releaseSlot = null;
  }

  private onMessage(raw: string | null): void {
    const message = parseMessage(raw);
    if (!message) return this.close(CloseCode.BadRequest, 'Invalid message received');
    switch (message.type) {
      case 'connection_init':
        return void this.onInit(message.payload);
      case 'ping':
        return this.send({ type: 'pong' });
      case 'pong':
        return;
      case 'subscribe':
        return this.onSubscribe(message);
      case 'complete':
        if (typeof message.id === 'string') this.operations.get(message.id)?.stop();
        return;
      default:
        return this.close(CloseCode.BadRequest, `Invalid message type "${String(message.type).slice(0, 40)}"`);
    }
  }

  private async onInit(payload: unknown): Promise<void> {
    if (this.initReceived) return this.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
    this.initReceived = true;
    clearTimeout(this.initTimer);
    const token =
      tokenFromConnectionParams(payload) ??
      tokenFromRequest(this.request, this.deps.cookieName);
    if (!token) return this.close(CloseCode.Forbidden, 'Forbidden: a token is required in connectionParams or the request');
    try {
      this.principal = await this.deps.verifyToken(token);
    } catch (error) {
      const reason = error instanceof AppError ? error.message : 'invalid token';
      return this.close(CloseCode.Forbidden, `Forbidden: ${reason}`);
    }
    if (this.closed) return;
    this.releaseSlot = this.deps.claimSlot(this.principal.userId);
    if (!this.releaseSlot) {
      return this.close(CloseCode.TooManyInitialisationRequests, 'Too many connections for this user; close another one first');
    }
    this.token = token;
    this.scheduleExpiry();
    this.send({ type: 'connection_ack' });
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    const expiresAt = this.principal?.expiresAt;
    if (expiresAt === null || expiresAt === undefined) return;
    // setTimeout caps at ~24.8 days; a later expiry is re-armed when that fires.
    const delay = Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => {
      if (this.expired()) this.close(CloseCode.Forbidden, 'Forbidden: token expired');
      else this.scheduleExpiry();
    }, delay);
    this.expiryTimer.unref();
  }

  private expired(): boolean {
    const expiresAt = this.principal?.expiresAt;
    return expiresAt !== null && expiresAt !== undefined && expiresAt <= Date.now();
  }

  private readonly control: ConnectionControl = {
    refreshToken: async (token) => {
      const next = await this.deps.verifyToken(token);
      if (!this.principal || next.userId !== this.principal.userId) {
        throw forbidden('The new token must belong to the same user as the connection');
      }
      this.principal = next;
      this.token = token;
      this.scheduleExpiry();
      return next.expiresAt === null ? null : new Date(next.expiresAt);
    },
  };

  private onSubscribe(message: ClientMessage): void {
    if (!this.principal) return this.close(CloseCode.Unauthorized, 'Unauthorized');
    const { id, payload } = message;
    if (typeof id !== 'string' || id.length === 0 || id.length > 128 || !isSubscribePayload(payload)) {
      return this.close(CloseCode.BadRequest, 'Invalid subscribe message');
    }
    if (this.operations.has(id)) return this.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id.slice(0, 64)} already exists`);
    const operation: Operation = { id, stopStream: null, stop: () => {} };
    operation.stop = () => {
      if (this.operations.get(id) === operation) this.operations.delete(id);
      operation.stopStream?.();
    };
    this.operations.set(id, operation);
    const correlationId = correlationIdFrom(null);
    void runWithCorrelationId(correlationId, () =>
      this.run(operation, payload, correlationId).catch((error: unknown) => this.onOperationError(operation, error)),
    );
  }

  /** Whether the operation is still wanted (not completed by the client, not closed). */
  private active(operation: Operation): boolean {
    return !this.closed && this.operations.get(operation.id) === operation;
  }

  private async run(operation: Operation, payload: SubscribePayload, correlationId: string): Promise<void> {
    const { id } = operation;
    const context = await this.deps.createContext(this.token, correlationId, this.control);
    const outcome = await runOperation(this.deps, context, payload);
    if (outcome.kind === 'stream') {
      const { events } = outcome;
      operation.stopStream = () => void events.return?.();
    }
    if (!this.active(operation)) return operation.stopStream?.();
    if (outcome.kind === 'errors') {
      this.operations.delete(id);
      return this.send({ id, type: 'error', payload: outcome.errors });
    }
    if (outcome.kind === 'result') {
      this.send({ id, type: 'next', payload: outcome.result });
      return this.complete(operation);
    }
    const { events, payloadFor } = outcome;
    const frame = nextFrameWriter(id);
    for (;;) {
      const step = await events.next();
      if (step.done || !this.active(operation)) break;
      const bytes = await payloadFor(step.value);
      if (!this.active(operation)) break;
      if (this.expired()) return this.close(CloseCode.Forbidden, 'Forbidden: token expired');
      if (this.socket.bufferedAmount > this.deps.maxBufferedBytes) {
        return this.close(CloseCode.TryAgainLater, 'Client is not reading fast enough; reconnect with `after` to catch up');
      }
      this.socket.send(frame(bytes), { binary: false });
    }
    await events.return?.();
    this.complete(operation);
  }

  private onOperationError(operation: Operation, error: unknown): void {
    if (error instanceof QueueOverflowError) return this.close(CloseCode.TryAgainLater, error.message);
    if (error instanceof AppError && error.code === 'UNAUTHENTICATED') return this.close(CloseCode.Forbidden, `Forbidden: ${error.message}`);
    if (!this.active(operation)) return;
    this.operations.delete(operation.id);
    this.send({ id: operation.id, type: 'error', payload: [this.deps.maskError(error)] });
  }

  /** Server-side completion; nothing is sent for operations the client already completed. */
  private complete(operation: Operation): void {
    if (!this.active(operation)) return;
    this.operations.delete(operation.id);
    this.send({ id: operation.id, type: 'complete' });
  }

  private send(message: Record<string, unknown>): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(message));
  }
}

function parseMessage(raw: string | null): ClientMessage | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (!value || typeof value !== 'object' || typeof (value as ClientMessage).type !== 'string') return null;
    return value as ClientMessage;
  } catch {
    return null;
  }
}

function isSubscribePayload(value: unknown): value is SubscribePayload {
  if (!value || typeof value !== 'object') return false;
  const payload = value as Record<string, unknown>;
  const variables = payload.variables;
  return (
    typeof payload.query === 'string' &&
    (payload.operationName === undefined || payload.operationName === null || typeof payload.operationName === 'string') &&
    (variables === undefined || variables === null || (typeof variables === 'object' && !Array.isArray(variables)))
  );
}

/** `authorization` ("Bearer …" or bare) or `token` from connection_init's payload. */
function tokenFromConnectionParams(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const params = payload as Record<string, unknown>;
  const raw = params.authorization ?? params.Authorization ?? params.token;
  if (typeof raw !== 'string' || raw.length === 0) return undefined;
  return raw.replace(/^Bearer\s+/i, '');
}
