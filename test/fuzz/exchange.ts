/** Sends a generated case over a raw TCP socket (node:net) and collects everything the server answers. */
import { connect, type Socket } from 'node:net';
import type { RawRequest } from './http-cases.ts';
import { readServerFrames, encodeFrame, closePayload, Opcode } from '../support/ws-frames.ts';
import type { WsSession } from './ws-cases.ts';

export interface Observation {
  /** HTTP status codes seen (several when a keep-alive answered more than once). */
  statuses: number[];
  /** WebSocket close codes the server sent. */
  closeCodes: number[];
  /** Every text a client could read: HTTP heads and bodies, WS messages, close reasons. */
  texts: string[];
}

export interface ExchangeOptions {
  host: string;
  port: number;
  /** Longest one case may take before its socket is dropped; default 1500 ms. */
  timeoutMs?: number;
}

function open(options: ExchangeOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.host, port: options.port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the socket closes or after `timeoutMs` (then the socket is destroyed). */
function ended(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => (socket.destroy(), resolve()), timeoutMs);
    socket.once('close', () => (clearTimeout(timer), resolve()));
  });
}

const writeAll = async (socket: Socket, writes: Buffer[]) => {
  for (const chunk of writes) {
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
  }
};

function statusesOf(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

export async function exchangeHttp(options: ExchangeOptions, request: RawRequest): Promise<Observation> {
  const socket = await open(options);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  await writeAll(socket, request.writes);
  if (request.reset) socket.resetAndDestroy();
  else socket.end();
  await ended(socket, options.timeoutMs ?? 1500);
  const text = Buffer.concat(chunks).toString('utf8');
  return { statuses: statusesOf(text), closeCodes: [], texts: text ? [text] : [] };
}

export async function exchangeWs(options: ExchangeOptions, session: WsSession): Promise<Observation> {
  const timeoutMs = options.timeoutMs ?? 1500;
  const socket = await open(options);
  const observation: Observation = { statuses: [], closeCodes: [], texts: [] };
  socket.on('error', () => {});
  let buffer: Buffer = Buffer.alloc(0);
  let upgraded = false;
  let headSeen: () => void = () => {};
  const head = new Promise<void>((resolve) => (headSeen = resolve));
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!upgraded) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = buffer.subarray(0, end).toString('utf8');
      observation.texts.push(text);
      observation.statuses.push(...statusesOf(text));
      upgraded = true;
      buffer = buffer.subarray(end + 4);
      headSeen();
    }
    const { frames, rest } = readServerFrames(buffer);
    buffer = rest;
    for (const frame of frames) {
      if (frame.opcode === Opcode.Close) {
        if (frame.payload.length >= 2) observation.closeCodes.push(frame.payload.readUInt16BE(0));
        observation.texts.push(frame.payload.subarray(2).toString('utf8'));
      } else if (frame.opcode === Opcode.Text || frame.opcode === Opcode.Binary) {
        observation.texts.push(frame.payload.toString('utf8'));
      }
    }
  });
  socket.once('close', () => headSeen());
  await writeAll(socket, [session.upgrade]);
  if (session.resetAfterUpgrade) {
    socket.resetAndDestroy();
    return observation;
  }
  await Promise.race([head, ended(socket, timeoutMs)]);
  if (socket.destroyed || observation.statuses[0] !== 101) {
    // Not upgraded: the answer is an HTTP response; the server should end it.
    socket.end();
    await ended(socket, timeoutMs);
    observation.texts.push(buffer.toString('utf8'));
    return observation;
  }
  await writeAll(socket, session.writes);
  if (session.resetAtEnd) {
    socket.resetAndDestroy();
    return observation;
  }
  // A protocol-level ping, answered after every message before it; then a clean close.
  await writeAll(socket, [
    encodeFrame({ payload: Buffer.from('{"type":"ping"}') }),
    encodeFrame({ payload: closePayload(1000), opcode: Opcode.Close }),
  ]);
  await ended(socket, timeoutMs);
  return observation;
}
