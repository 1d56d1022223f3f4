/**
 * The socket writer on a real ws connection: the first direct frame of a turn goes out at once,
 * later ones (all of a turn after a busy one) together at its end, in order with ws's own sends
 * and before a close of the same turn; a client that stops reading
 * past the high-water mark gets everything once it reads again.
 */
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { SocketWriter } from '../../src/ws/socket-writer.ts';
import { encodeTextFrame } from '../../src/ws/wire-frame.ts';

interface Connected {
  writer: SocketWriter;
  /** Calls of the TCP socket's write so far. */
  tcpWrites: () => number;
  client: WebSocket;
  messages: string[];
  /** Resolves once `count` messages arrived. */
  received: (count: number) => Promise<string[]>;
  closed: Promise<number>;
  stop: () => Promise<void>;
}

/** A ws server whose one connection is written through a SocketWriter, and a client reading it. */
async function connect(maxBufferedBytes = 64 * 1024 * 1024): Promise<Connected> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const serverSide = new Promise<{ writer: SocketWriter; tcp: Socket }>((resolve) =>
    server.once('connection', (socket, request) =>
      resolve({ writer: new SocketWriter(socket, request.socket, maxBufferedBytes), tcp: request.socket }),
    ),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const messages: string[] = [];
  let wanted = { count: Number.POSITIVE_INFINITY, resolve: (_: string[]) => {} };
  client.on('message', (data: Buffer) => {
    messages.push(data.toString());
    if (messages.length >= wanted.count) wanted.resolve(messages);
  });
  const closed = new Promise<number>((resolve) => client.once('close', resolve));
  await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  const { writer, tcp } = await serverSide;
  let writes = 0;
  const write = tcp.write.bind(tcp) as (...args: unknown[]) => boolean;
  tcp.write = ((...args: unknown[]) => {
    writes += 1;
    return write(...args);
  }) as typeof tcp.write;
  return {
    writer,
    tcpWrites: () => writes,
    client,
    messages,
    received: (count) => (messages.length >= count ? Promise.resolve(messages) : new Promise((resolve) => (wanted = { count, resolve }))),
    closed,
    stop: async () => {
      client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const frame = (text: string) => encodeTextFrame(Buffer.from(text));
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('socket writer', () => {
  it('writes the first direct frame of a turn at once and the later ones together, all of a turn after a busy one', async () => {
    const c = await connect();
    try {
      const writes = (send: () => void) => {
        const before = c.tcpWrites();
        send();
        return c.tcpWrites() - before;
      };
      expect(writes(() => c.writer.sendFrame(frame('a')))).toBe(1);
      expect(writes(() => c.writer.sendFrame(frame('b')))).toBe(0);
      expect(writes(() => c.writer.sendFrame(frame('c')))).toBe(0);
      let before = c.tcpWrites();
      await turn();
      expect(c.tcpWrites() - before).toBe(1);
      // The turn before had several: this one's are all held, in one write at its end.
      expect(writes(() => c.writer.sendFrame(frame('d')))).toBe(0);
      expect(writes(() => c.writer.sendFrame(frame('e')))).toBe(0);
      before = c.tcpWrites();
      await turn();
      expect(c.tcpWrites() - before).toBe(1);
      // One frame in a turn after a busy one is still held; the turn after that writes at once again.
      expect(writes(() => c.writer.sendFrame(frame('f')))).toBe(0);
      before = c.tcpWrites();
      await turn();
      expect(c.tcpWrites() - before).toBe(1);
      expect(writes(() => c.writer.sendFrame(frame('g')))).toBe(1);
      // A ws send between frames keeps its place.
      c.writer.sendFrame(frame('h'));
      c.writer.send('from ws');
      c.writer.sendFrame(frame('i'));
      expect(await c.received(10)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'from ws', 'i']);
    } finally {
      await c.stop();
    }
  });

  it('writes the frames held in a turn before a close in that turn', async () => {
    const c = await connect();
    try {
      c.writer.sendFrame(frame('event'));
      c.writer.sendFrame(frame('last event'));
      c.writer.close(4000, 'bye');
      expect(await c.closed).toBe(4000);
      expect(c.messages).toEqual(['event', 'last event']);
    } finally {
      await c.stop();
    }
  });

  it('delivers everything, in order, to a client that stopped reading past the high-water mark and reads again', async () => {
    const c = await connect();
    try {
      const socket = (c.client as unknown as { _socket: Socket })._socket;
      socket.pause();
      // Far more than loopback's socket buffers hold, over many turns: most of it waits in the writer.
      const payload = 'x'.repeat(4000);
      const count = 8000;
      for (let i = 0; i < count; i++) {
        expect(c.writer.sendFrame(frame(`${i}:${payload}`))).toBe(true);
        if (i % 100 === 99) await turn();
      }
      expect(c.writer.bufferedBytes).toBeGreaterThan(64 * 1024);
      socket.resume();
      const messages = await c.received(count);
      expect(messages.map((m) => Number(m.slice(0, m.indexOf(':'))))).toEqual(Array.from({ length: count }, (_, i) => i));
    } finally {
      await c.stop();
    }
  }, 30_000);
});
