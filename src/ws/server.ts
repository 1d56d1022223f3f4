/**
 * The WebSocket side of /graphql: upgrade checks, the graphql-ws protocol, per-user
 * connection limit, keep-alive pings, frame size limit and shutdown. Every upgrade and
 * every socket is contained: errors get a listener before anything else can happen, and
 * nothing a client sends can throw out of here.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RealtimeConfig } from '../config.ts';
import { perUserSlots, type ConnectionSlots } from '../limits/connection-slots.ts';
import { ServerCloseCode } from './close-codes.ts';
import { GraphQLWsConnection, type ConnectionDeps } from './connection.ts';
import { batchedDeliveryCount } from './delivery-count.ts';
import { ExpirySchedule } from './expiry-schedule.ts';
import { startKeepAlive } from './keep-alive.ts';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from './protocol.ts';
import { rejectUpgrade, refuseUpgrade } from './upgrade.ts';

export interface GraphQLWsServer {
  /** Open sockets right now (not counting those closing: cut off, or shutting down). */
  readonly connectionCount: number;
  /** Token expiries still scheduled: one per open authenticated connection whose token expires (for leak checks). */
  readonly scheduledExpiries: number;
  /** Closes every socket with 1001 so clients reconnect elsewhere. */
  close(): Promise<void>;
}

/** At shutdown, how long peers have to answer 1001 before their sockets are dropped. */
const SHUTDOWN_CLOSE_GRACE_MS = 1000;

export type GraphQLWsDeps = Omit<
  ConnectionDeps,
  'slots' | 'connectionInitTimeoutMs' | 'maxBufferedBytes' | 'maxActiveOperations' | 'deliveries' | 'expiries'
> & {
  /** The CONNECTIONS_PER_USER counter, to share it with another transport (default: one of its own). */
  slots?: ConnectionSlots;
  /** Hands an upgrade to another server on this port (Socket.IO's path); true when it took it (default: none). */
  otherUpgrades?: (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
};

export function attachGraphQLWs(server: Server, path: string, config: RealtimeConfig, deps: GraphQLWsDeps): GraphQLWsServer {
  const { logger } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxFrameBytes,
    handleProtocols: (protocols) => (protocols.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : false),
  });
  const connections = new Map<WebSocket, GraphQLWsConnection>();
  const keepAlive = startKeepAlive(config.keepAliveMs, () => connections.keys());
  const connectionDeps: ConnectionDeps = {
    ...deps,
    slots: deps.slots ?? perUserSlots(config.connectionsPerUser),
    connectionInitTimeoutMs: config.connectionInitTimeoutMs,
    maxBufferedBytes: config.maxBufferedBytes,
    maxActiveOperations: config.maxActiveOperations,
    deliveries: batchedDeliveryCount(deps.metrics),
    expiries: new ExpirySchedule(),
  };

  // Defined once, not per upgrade: a listener made inside the handler would share its scope,
  // and so keep the upgrade request alive for as long as the socket is open.
  const onUpgradeSocketError = (error: Error) => logger.debug('WebSocket upgrade socket error', { error: error.message });
  // Defined once, not per socket (`this` is the socket): a listener per socket is a closure each.
  function onSocketError(this: WebSocket, error: Error): void {
    const connection = GraphQLWsConnection.of(this);
    if (connection) connection.onSocketError(error);
    else logger.debug('WebSocket protocol error', { error: error.message });
  }
  // The connection's onDispose forgets it when either side begins closing.
  const forget = (ws: WebSocket) => connections.delete(ws);

  const accept = (ws: WebSocket, request: IncomingMessage) => {
    // The socket has ws's own error listener from here on: ours, for the handshake, would be a second.
    request.socket.off('error', onUpgradeSocketError);
    ws.on('error', onSocketError);
    let connection: GraphQLWsConnection | undefined;
    try {
      if (ws.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
        ws.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
        return;
      }
      connection = new GraphQLWsConnection(ws, request, connectionDeps, forget);
      keepAlive.watch(ws);
      connections.set(ws, connection);
    } catch (error) {
      if (connection) return connection.fail(error);
      logger.error('WebSocket connection setup failed', { error: error instanceof Error ? error.stack : String(error) });
      ws.terminate();
    }
  };

  server.on('upgrade', (request: IncomingMessage, raw: Duplex, head: Buffer) => {
    raw.on('error', onUpgradeSocketError);
    try {
      if (deps.otherUpgrades?.(request, raw, head)) return;
      const refusal = refuseUpgrade(request, path, config.allowedOrigins);
      if (refusal) return rejectUpgrade(raw, refusal);
      wss.handleUpgrade(request, raw, head, (ws) => accept(ws, request));
    } catch (error) {
      logger.error('WebSocket upgrade failed', { error: error instanceof Error ? error.stack : String(error) });
      raw.destroy();
    }
  });

  return {
    get connectionCount() {
      return connections.size;
    },
    get scheduledExpiries() {
      return connectionDeps.expiries.size;
    },
    async close() {
      keepAlive.stop();
      for (const connection of [...connections.values()]) connection.close(ServerCloseCode.GoingAway, 'Server shutting down');
      const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
      // Peers that do not answer 1001 promptly (or were already closing) do not hold up shutdown.
      const grace = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, SHUTDOWN_CLOSE_GRACE_MS);
      await closed;
      clearTimeout(grace);
    },
  };
}
