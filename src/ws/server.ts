/**
 * The WebSocket side of /graphql: graphql-ws protocol, Origin check, per-user
 * connection limit, keep-alive pings, frame size limit and shutdown.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RealtimeConfig } from '../config.ts';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL } from './close-codes.ts';
import { GraphQLWsConnection, type ConnectionDeps } from './connection.ts';

export interface GraphQLWsServer {
  /** Open sockets right now. */
  readonly connectionCount: number;
  /** Closes every socket with 1001 so clients reconnect elsewhere. */
  close(): Promise<void>;
}

export function attachGraphQLWs(
  server: Server,
  path: string,
  config: RealtimeConfig,
  deps: Omit<ConnectionDeps, 'claimSlot' | 'connectionInitTimeoutMs' | 'maxBufferedBytes'>,
): GraphQLWsServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxFrameBytes,
    handleProtocols: (protocols) => (protocols.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : false),
  });
  const perUser = new Map<string, number>();
  const connections = new Map<WebSocket, GraphQLWsConnection>();
  const alive = new WeakSet<WebSocket>();

  const claimSlot = (userId: string) => {
    const open = perUser.get(userId) ?? 0;
    if (open >= config.connectionsPerUser) return null;
    perUser.set(userId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (perUser.get(userId) ?? 1) - 1;
      if (left > 0) perUser.set(userId, left);
      else perUser.delete(userId);
    };
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return rejectUpgrade(socket, 404, 'Not Found');
    if (!originAllowed(config.allowedOrigins, request.headers.origin)) return rejectUpgrade(socket, 403, 'Origin not allowed');
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (ws.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
        ws.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
        return;
      }
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      const connection = new GraphQLWsConnection(ws, request, {
        ...deps,
        claimSlot,
        connectionInitTimeoutMs: config.connectionInitTimeoutMs,
        maxBufferedBytes: config.maxBufferedBytes,
      });
      connections.set(ws, connection);
      ws.on('close', () => connections.delete(ws));
    });
  });

  const keepAlive =
    config.keepAliveMs > 0
      ? setInterval(() => {
          for (const ws of connections.keys()) {
            if (!alive.has(ws)) {
              ws.terminate();
              continue;
            }
            alive.delete(ws);
            ws.ping();
          }
        }, config.keepAliveMs)
      : null;
  keepAlive?.unref();

  return {
    get connectionCount() {
      return connections.size;
    },
    async close() {
      if (keepAlive) clearInterval(keepAlive);
      for (const connection of connections.values()) connection.close(CloseCode.GoingAway, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Browsers always send Origin on upgrades; a request without one is not from a page, so there is nothing to check. */
function originAllowed(allowed: string[] | '*', origin: string | undefined): boolean {
  if (allowed === '*' || origin === undefined) return true;
  return allowed.includes(origin);
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${message}\n`);
}
