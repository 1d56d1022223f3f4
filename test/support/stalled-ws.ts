/**
 * A WebSocket client that completes the handshake, sends frames, and then never reads:
 * a raw TCP socket in paused mode, so the server meets real backpressure.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Opcode, readServerFrames } from './ws-frames.ts';

/** A masked text frame, as clients must send. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}

export interface StalledSocket {
  socket: Socket;
  send(message: unknown): void;
  /**
   * Sends `connection_init` with `payload` and reads only until the server's `connection_ack`
   * (a subscribe sent before it is refused with 4401), then leaves the socket paused again.
   * Afterwards `pending` holds what was read past the ack (normally nothing).
   */
  acknowledge(payload: Record<string, unknown>, timeoutMs?: number): Promise<void>;
  /** True once `acknowledge` consumed the 101 answer and the ack: reads then start at a frame. */
  readonly acknowledged: boolean;
  /** Bytes read past the ack by `acknowledge`. */
  readonly pending: Buffer;
}

/** The bytes after the ack frame once `received` holds the 101 answer and a `connection_ack`; undefined before. */
function pastAck(received: Buffer): Buffer | undefined {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const { frames, rest } = readServerFrames(received.subarray(end + 4));
  const acked = frames.some(
    (frame) => frame.opcode === Opcode.Text && (JSON.parse(frame.payload.toString()) as { type?: string }).type === 'connection_ack',
  );
  return acked ? Buffer.from(rest) : undefined;
}

export async function openStalledSocket(wsUrl: string): Promise<StalledSocket> {
  const url = new URL(wsUrl);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`,
  );
  // Wait for the 101 response, then leave the socket paused (never read again).
  await new Promise<void>((resolve) => {
    socket.once('readable', () => resolve());
  });
  const send = (message: unknown) => socket.write(textFrame(JSON.stringify(message)));
  let acknowledged = false;
  let pending: Buffer = Buffer.alloc(0);
  return {
    socket,
    send,
    get acknowledged() {
      return acknowledged;
    },
    get pending() {
      return pending;
    },
    async acknowledge(payload, timeoutMs = 10_000) {
      send({ type: 'connection_init', payload });
      const deadline = Date.now() + timeoutMs;
      let received: Buffer = Buffer.alloc(0);
      for (;;) {
        for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null)
          received = Buffer.concat([received, chunk]);
        const rest = pastAck(received);
        if (rest !== undefined) {
          pending = rest;
          acknowledged = true;
          return;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no connection_ack within ${timeoutMs} ms (read ${received.length} bytes)`);
        await once(socket, 'readable', { signal: AbortSignal.timeout(left) }).catch(() => undefined);
      }
    },
  };
}
