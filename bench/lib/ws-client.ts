/**
 * A lean graphql-transport-ws client on the `ws` package: connection_init with a token,
 * subscribe frames by hand, and every later frame handed over as raw bytes, so thousands
 * of sockets fit in the load generator's one core. The raw ws baseline speaks the same frames.
 */
import WebSocket from 'ws';

export const GRAPHQL_WS_PROTOCOL = 'graphql-transport-ws';

export interface LeanSocket {
  ws: WebSocket;
  /** Sends a `subscribe` frame (also used for queries and mutations over the socket). */
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  close(): void;
}

export interface SocketEvents {
  /** Every frame after connection_ack, as received. */
  onFrame(data: Buffer): void;
  /** The socket closed while the suite still wanted it (code and reason). */
  onUnexpectedClose?(code: number, reason: string): void;
}

const ACK = Buffer.from('"connection_ack"');

/** Opens a socket, authenticates with `token` and resolves after connection_ack. */
export function connectLean(url: string, token: string, events: SocketEvents, timeoutMs = 30_000): Promise<LeanSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, GRAPHQL_WS_PROTOCOL, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: timeoutMs });
    let acked = false;
    let closing = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no connection_ack in time'));
    }, timeoutMs);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { token } })));
    ws.on('message', (data: Buffer) => {
      if (acked) return events.onFrame(data);
      if (data.indexOf(ACK) < 0) return;
      acked = true;
      clearTimeout(timer);
      resolve({
        ws,
        subscribe: (id, query, variables = {}) => ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
        close: () => {
          closing = true;
          ws.terminate();
        },
      });
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      if (!acked) reject(error);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      if (!acked) reject(new Error(`closed before ack: ${code} ${reason.toString()}`));
      else if (!closing) events.onUnexpectedClose?.(code, reason.toString());
    });
  });
}

/**
 * Opens `count` sockets with at most `parallel` handshakes in flight; resolves with them
 * and how long it took. Rejects on the first failure (after closing what was opened).
 */
export async function connectMany<T>(
  count: number,
  parallel: number,
  open: (index: number) => Promise<T & { close(): void }>,
): Promise<{ sockets: T[]; elapsedMs: number }> {
  const sockets: (T & { close(): void })[] = new Array(count);
  const start = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      sockets[index] = await open(index);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
  } catch (error) {
    for (const socket of sockets) socket?.close();
    throw error;
  }
  return { sockets, elapsedMs: performance.now() - start };
}

/** The unsigned integer right after `marker` in `data`, or -1 when the marker is absent. */
export function integerAfter(data: Buffer, marker: Buffer): number {
  let at = data.indexOf(marker);
  if (at < 0) return -1;
  at += marker.length;
  let value = 0;
  let digits = 0;
  for (; at < data.length; at++) {
    const c = data[at]!;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    digits++;
  }
  return digits > 0 ? value : -1;
}
