/**
 * A WebSocket client that completes the handshake, sends frames, and then never reads:
 * a raw TCP socket in paused mode, so the server meets real backpressure.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

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
  return { socket, send: (message) => socket.write(textFrame(JSON.stringify(message))) };
}
