/** A bare WebSocket speaking graphql-transport-ws frames by hand, for protocol-level tests. */
import WebSocket, { type ClientOptions } from 'ws';
import { messageInbox } from './message-inbox.ts';
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
  const inbox = messageInbox();
  const closed = new Promise<CloseInfo>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  socket.on('message', (data) => inbox.push(JSON.parse(data.toString()) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return {
    socket,
    messages: inbox.messages,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: inbox.next,
  };
}
