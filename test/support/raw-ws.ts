/** A bare WebSocket speaking graphql-transport-ws frames by hand, for protocol-level tests. */
import WebSocket, { type ClientOptions } from 'ws';
import type { CloseInfo } from './ws-client.ts';

export interface RawSocket {
  socket: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<CloseInfo>;
  send(message: unknown): void;
  /** Waits for a server message of `type`. */
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export async function openRawSocket(
  url: string,
  headers: Record<string, string> = {},
  protocol = 'graphql-transport-ws',
  options: ClientOptions = {},
): Promise<RawSocket> {
  const socket = new WebSocket(url, protocol, { ...options, headers });
  const messages: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  const closed = new Promise<CloseInfo>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const listener of listeners) listener();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return {
    socket,
    messages,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: (type, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find((m) => m.type === type);
          if (!found) return;
          messages.splice(messages.indexOf(found), 1);
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no "${type}" message within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}
