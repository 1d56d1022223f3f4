/**
 * The legacy Socket.IO event API, served by the `socket.io` server package at `/socket.io/`
 * on the app's HTTP server, in the namespace WEBSOCKET_NAMESPACE (default `/chat`). Its
 * engine is not attached to the server: the request handler hands it the long-polling
 * requests (inside containment, with an access log line and metrics, like every request) and
 * the WebSocket upgrade listener hands it the upgrades under its path. Only that
 * namespace accepts connections; the handshake authenticates them (handshake-auth.ts) and each
 * connection is a ChatSocket mapping the old events onto the services. Nothing here keeps a
 * rule or a pub/sub path of its own: live events come from the session streams, across
 * instances through the same Redis fan-out as GraphQL.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server as EngineServer } from 'engine.io';
import { Server as SocketIoServer } from 'socket.io';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { LimitsConfig, RealtimeConfig } from '../config.ts';
import type { MaskError } from '../graphql/mask-error.ts';
import type { ClaimConnectionSlot } from '../limits/connection-slots.ts';
import type { Logger } from '../observability/logger.ts';
import type { Services } from '../services/index.ts';
import { originAllowed } from '../ws/upgrade.ts';
import { ChatSocket } from './chat-socket.ts';
import { handshakeAuth, HandshakeRefusal, type HandshakeResult } from './handshake-auth.ts';

/** Where the engine answers (long-polling and WebSocket upgrades), as the legacy gateway's clients expect. */
export const SOCKET_IO_PATH = '/socket.io/';

export interface SocketIoDeps {
  services: Services;
  maskError: MaskError;
  verifyToken: TokenVerifier;
  cookieName: string;
  /** The CONNECTIONS_PER_USER counter graphql-ws uses too. */
  claimSlot: ClaimConnectionSlot;
  logger: Logger;
  limits: LimitsConfig;
  realtime: RealtimeConfig;
  /** Largest packet a client may send (MAX_BODY_BYTES: a send is bounded as over HTTP); larger closes the connection. */
  maxPacketBytes: number;
}

export interface SocketIoGateway {
  /** Connections on the namespace right now. */
  readonly connectionCount: number;
  /** Whether a request path is the engine's (`/socket.io/…`). */
  serves(pathname: string): boolean;
  /** Answers a long-polling request (its path is the engine's). */
  handleRequest(request: IncomingMessage, response: ServerResponse): void;
  /** Takes an upgrade when it is the engine's; false leaves it to graphql-ws. */
  takeUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Refuses new connections and closes every open one (clients reconnect, to another instance). */
  close(): Promise<void>;
}

export function createSocketIo(deps: SocketIoDeps): SocketIoGateway {
  const { logger, realtime } = deps;
  let stopping = false;
  const allowedOrigins = realtime.allowedOrigins;
  const engine = new EngineServer({
    maxHttpBufferSize: deps.maxPacketBytes,
    cors: { origin: allowedOrigins === '*' ? true : allowedOrigins, credentials: true },
    allowRequest: (request, callback) => {
      if (stopping) return callback('Server shutting down', false);
      callback(null, originAllowed(allowedOrigins, request.headers.origin));
    },
  });
  const io = new SocketIoServer({
    path: SOCKET_IO_PATH,
    serveClient: false,
    // Like WS_CONNECTION_INIT_TIMEOUT_MS: a connection that never joins a namespace is closed.
    connectTimeout: realtime.connectionInitTimeoutMs,
  });
  io.bind(engine);

  const namespace = io.of(realtime.socketIoNamespace);
  if (realtime.socketIoNamespace !== '/') {
    io.of('/').use((_socket, next) => next(new HandshakeRefusal('NOT_FOUND', `Connect to the namespace ${realtime.socketIoNamespace}`)));
  }
  namespace.use(handshakeAuth({ verifyToken: deps.verifyToken, cookieName: deps.cookieName, claimSlot: deps.claimSlot, logger }));
  const chatDeps = {
    services: deps.services,
    maskError: deps.maskError,
    logger,
    limits: deps.limits,
    maxQueuedEvents: realtime.maxQueuedEvents,
  };
  namespace.on('connection', (socket) => {
    const { principal, releaseSlot } = socket.data as HandshakeResult;
    try {
      new ChatSocket(socket, principal, chatDeps);
    } catch (error) {
      logger.error('Socket.IO connection setup failed', { error: error instanceof Error ? error.stack : String(error) });
      releaseSlot();
      socket.disconnect(true);
    }
  });

  return {
    get connectionCount() {
      return namespace.sockets.size;
    },
    serves: (pathname) => pathname.startsWith(SOCKET_IO_PATH),
    handleRequest: (request, response) => engine.handleRequest(request, response),
    takeUpgrade(request, socket, head) {
      if (!(request.url ?? '').startsWith(SOCKET_IO_PATH)) return false;
      engine.handleUpgrade(request, socket, head);
      return true;
    },
    async close() {
      stopping = true;
      // Closing the engine's connections (not disconnecting the sockets) tells clients to reconnect.
      engine.close();
    },
  };
}
