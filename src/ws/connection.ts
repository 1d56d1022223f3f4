/**
 * One graphql-ws (graphql-transport-ws) connection: the protocol state machine. Every
 * way in — a frame, a timer, an operation settling — runs contained: an unexpected
 * error closes this socket with 4500 and is logged with its stack, and never reaches
 * the process.
 */
import type { IncomingMessage } from 'node:http';
import { CloseCode, MessageType } from 'graphql-ws';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../observability/logger.ts';
import { openConnectionTelemetry, type ConnectionTelemetry } from './telemetry.ts';
import { ServerCloseCode } from './close-codes.ts';
import { ConnectionAuth, type ConnectionAuthDeps } from './connection-auth.ts';
import { OperationRunner, type OperationHost, type OperationRunnerDeps } from './operation-runner.ts';
import { encodeMessage, parseClientFrame, type ClientMessage, type ServerMessage } from './protocol.ts';
import { SocketWriter } from './socket-writer.ts';

export interface ConnectionDeps extends OperationRunnerDeps, ConnectionAuthDeps {
  logger: Logger;
  connectionInitTimeoutMs: number;
  /** WS_MAX_BUFFERED_BYTES: unsent bytes this socket may pile up before it is closed with 1013. */
  maxBufferedBytes: number;
}

const SLOW_READER_REASON = 'Client is not reading fast enough; reconnect with `after` to catch up';

/** The connection of each socket, for the listeners below (shared by every socket: `this` is the socket). */
const connections = new WeakMap<WebSocket, GraphQLWsConnection>();

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  connections.get(this)?.received(data, isBinary);
}

function onSocketClose(this: WebSocket, code: number): void {
  connections.get(this)?.socketClosed(code);
}

export class GraphQLWsConnection implements OperationHost {
  readonly auth: ConnectionAuth;
  private readonly telemetry: ConnectionTelemetry;
  private readonly writer: SocketWriter;
  private readonly operations: OperationRunner;
  /** Until connection_init arrives (then null: a cleared Timeout would stay referenced for the connection's life). */
  private initTimer: NodeJS.Timeout | null;
  private initReceived = false;
  private isClosed = false;

  /** The connection made for `socket`, if any. */
  static of(socket: WebSocket): GraphQLWsConnection | undefined {
    return connections.get(socket);
  }

  constructor(
    private readonly socket: WebSocket,
    request: IncomingMessage,
    private readonly deps: ConnectionDeps,
    /** Runs once when the connection stops being open (either side began closing); shared by connections, so told which. */
    private readonly onDispose: (socket: WebSocket) => void = () => {},
  ) {
    this.telemetry = openConnectionTelemetry(deps, request);
    this.writer = new SocketWriter(socket, request.socket, deps.maxBufferedBytes);
    this.auth = new ConnectionAuth(deps, request, this);
    this.operations = new OperationRunner(deps, this);
    this.initTimer = setTimeout(
      () => this.contain(() => this.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout')),
      deps.connectionInitTimeoutMs,
    );
    connections.set(socket, this);
    socket.on('message', onSocketMessage);
    socket.on('close', onSocketClose);
  }

  /** A frame arrived. */
  received(data: RawData, isBinary: boolean): void {
    void this.contain(() => this.onFrame(data, isBinary));
  }

  /** The socket closed (`code`: what the peer sent, 1006 for none). */
  socketClosed(code: number): void {
    void this.contain(() => {
      this.dispose();
      this.telemetry.closed(code, this.auth.principal?.userId ?? null);
    });
  }

  /** The token expired without a refresh (ConnectionAuth's timer). */
  tokenExpired(): void {
    void this.contain(() => this.close(CloseCode.Forbidden, 'Forbidden: token expired'));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Closes the socket with a code and reason (cut to the protocol's 123 bytes). */
  close(code: number, reason: string): void {
    if (this.isClosed) return;
    this.telemetry.closing(code);
    this.dispose();
    this.writer.close(code, reason);
  }

  write(data: string | Buffer): void {
    if (this.isClosed || this.writer.send(data)) return;
    this.closeSlowReader();
  }

  writeFrame(frame: Buffer): void {
    if (this.isClosed || this.writer.sendFrame(frame)) return;
    this.closeSlowReader();
  }

  private closeSlowReader(): void {
    this.telemetry.slowConsumer('send_buffer');
    this.close(ServerCloseCode.TryAgainLater, SLOW_READER_REASON);
  }

  fail(error: unknown): void {
    this.deps.logger.error('WebSocket connection failed; closing it with 4500', {
      correlationId: this.telemetry.correlationId,
      error: error instanceof Error ? error.stack : String(error),
    });
    try {
      this.close(CloseCode.InternalServerError, 'Internal server error');
    } catch {
      this.socket.terminate();
    }
  }

  /** Runs `work`, turning anything it throws (now or later) into fail(). */
  private async contain(work: () => void | Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.fail(error);
    }
  }

  /** The ws library failed the socket (a protocol violation by the client); it closes it itself. */
  onSocketError(error: Error): void {
    this.deps.logger.debug('WebSocket protocol error', { correlationId: this.telemetry.correlationId, error: error.message });
    this.telemetry.protocolError();
    this.dispose();
  }

  private dispose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.clearInitTimer();
    this.operations.dispose();
    this.auth.dispose();
    this.onDispose(this.socket);
  }

  private clearInitTimer(): void {
    if (this.initTimer) clearTimeout(this.initTimer);
    this.initTimer = null;
  }

  private async onFrame(data: RawData, isBinary: boolean): Promise<void> {
    if (this.isClosed) return;
    const parsed = parseClientFrame(data, isBinary);
    if (!parsed.ok) return this.close(CloseCode.BadRequest, parsed.reason);
    await this.onMessage(parsed.message);
  }

  private async onMessage(message: ClientMessage): Promise<void> {
    this.telemetry.frame(message.type, frameDetails(message));
    switch (message.type) {
      case MessageType.ConnectionInit:
        return this.onInit(message.payload);
      case MessageType.Ping:
        return this.send(message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong });
      case MessageType.Pong:
        return;
      case MessageType.Subscribe:
        if (!this.auth.principal) return this.close(CloseCode.Unauthorized, 'Unauthorized');
        this.telemetry.operationStarted();
        return this.operations.start(message);
      case MessageType.Complete:
        return this.operations.complete(message.id);
    }
  }

  private async onInit(payload: unknown): Promise<void> {
    if (this.initReceived) return this.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
    this.initReceived = true;
    this.clearInitTimer();
    const refusal = await this.auth.authenticate(payload);
    if (refusal) return this.close(refusal.code, refusal.reason);
    this.send({ type: MessageType.ConnectionAck });
    if (this.auth.principal) this.telemetry.acknowledged(this.auth.principal.userId);
  }

  private send(message: ServerMessage): void {
    this.write(encodeMessage(message));
  }
}

/** What a frame's debug line shows: the operation id and name, never a payload. */
function frameDetails(message: ClientMessage): { id?: string; operationName?: string | null } {
  if (message.type === MessageType.Subscribe) return { id: message.id, operationName: message.payload.operationName };
  if (message.type === MessageType.Complete) return { id: message.id };
  return {};
}
