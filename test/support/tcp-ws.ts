/**
 * A WebSocket client written on a bare TCP socket: any request line and headers, any
 * bytes in one write, and the server's answer read frame by frame. For hostile-client
 * tests that a client library would refuse to produce.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { messageInbox } from './message-inbox.ts';
import { Opcode, readServerFrames, textFrame, type ServerFrame } from './ws-frames.ts';

export interface TcpWsOptions {
  /** The request target (default the URL's path); anything, even `//[`. */
  target?: string;
  /** Sec-WebSocket-Protocol, default graphql-transport-ws; null sends none. */
  protocol?: string | null;
  headers?: Record<string, string>;
}

export interface TcpCloseInfo {
  /** The code of the server's close frame, or null when TCP ended without one. */
  code: number | null;
  reason: string;
}

export interface TcpWs {
  socket: Socket;
  /** HTTP status of the handshake answer (101 when upgraded). */
  status: Promise<number>;
  /** Server text messages, JSON-parsed, in arrival order. */
  messages: Record<string, unknown>[];
  /** Resolves when the server's close frame arrives or TCP ends, whichever comes first. */
  closed: Promise<TcpCloseInfo>;
  /** Resolves when the TCP connection is gone (after the server is done with it). */
  ended: Promise<void>;
  write(bytes: Buffer | string): void;
  send(message: unknown): void;
  /** Waits for a server message of `type` (and removes it from `messages`). */
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function handshakeRequest(host: string, target: string, protocol: string | null, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...(protocol === null ? [] : [`Sec-WebSocket-Protocol: ${protocol}`]),
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export async function openTcpWs(wsUrl: string, options: TcpWsOptions = {}): Promise<TcpWs> {
  const url = new URL(wsUrl);
  const socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    handshakeRequest(
      url.host,
      options.target ?? url.pathname,
      options.protocol === undefined ? 'graphql-transport-ws' : options.protocol,
      options.headers,
    ),
  );

  const inbox = messageInbox();
  let head: Buffer | null = Buffer.alloc(0);
  let body = Buffer.alloc(0);
  let resolveStatus: (status: number) => void = () => {};
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  let resolveClosed: (info: TcpCloseInfo) => void = () => {};
  const closed = new Promise<TcpCloseInfo>((resolve) => (resolveClosed = resolve));

  const onFrame = (frame: ServerFrame) => {
    if (frame.opcode === Opcode.Text) {
      inbox.push(JSON.parse(frame.payload.toString()) as Record<string, unknown>);
    } else if (frame.opcode === Opcode.Close) {
      const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
      // No close frame is sent back: the test decides what this client writes next.
      resolveClosed({ code, reason: frame.payload.subarray(2).toString() });
    }
  };
  socket.on('data', (chunk: Buffer) => {
    if (head) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      resolveStatus(Number(/^HTTP\/1\.1 (\d{3})/.exec(head.toString('latin1'))?.[1] ?? 0));
      chunk = head.subarray(end + 4);
      head = null;
    }
    const { frames, rest } = readServerFrames(Buffer.concat([body, chunk]));
    body = Buffer.from(rest);
    frames.forEach(onFrame);
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('close', () => {
    resolveStatus(0);
    resolveClosed({ code: null, reason: '' });
  });

  return {
    socket,
    status,
    messages: inbox.messages,
    closed,
    ended,
    write: (bytes) => void (socket.destroyed || socket.write(bytes)),
    send: (message) => void (socket.destroyed || socket.write(textFrame(message))),
    next: inbox.next,
  };
}
