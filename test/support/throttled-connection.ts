/**
 * A TCP connection for the `ws` client that reads slowly: after each chunk the socket
 * pauses for `pauseMs`, so at most one chunk (up to 64 KiB) is read per pause. The
 * server meets a client that is alive and reading, just slower than it writes.
 */
import { connect, type Socket } from 'node:net';
import type { ClientOptions } from 'ws';

export interface ThrottledConnection {
  /** Pass as the `ws` client's `createConnection` option. */
  createConnection: NonNullable<ClientOptions['createConnection']>;
  /** Bytes read so far. */
  readonly bytesRead: number;
}

export function throttledConnection(pauseMs: number): ThrottledConnection {
  let socket: Socket | undefined;
  const createConnection = ((options: { host?: string; port?: number | string }) => {
    socket = connect({ host: options.host, port: Number(options.port) });
    const current = socket;
    current.on('data', () => {
      current.pause();
      setTimeout(() => current.resume(), pauseMs).unref();
    });
    return current;
  }) as unknown as ThrottledConnection['createConnection'];
  return {
    createConnection,
    get bytesRead() {
      return socket?.bytesRead ?? 0;
    },
  };
}
