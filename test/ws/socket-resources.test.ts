/**
 * What one WebSocket may cost the server: WS_MAX_SUBSCRIPTIONS active operations, and
 * WS_MAX_BUFFERED_BYTES of unsent frames — query and mutation results as well as
 * subscription events. A client cut off for reading too slowly receives 1013.
 */
import { MessageType } from 'graphql-ws';
import type { ClientOptions } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { openRawSocket, type RawSocket } from '../support/raw-ws.ts';
import { openStalledSocket, type StalledSocket } from '../support/stalled-ws.ts';
import { throttledConnection } from '../support/throttled-connection.ts';
import { mintToken } from '../support/tokens.ts';
import { eventually } from '../support/ws-client.ts';
import { Opcode, readServerFrames } from '../support/ws-frames.ts';

/**
 * Reads a stalled socket up to the server's close frame: from the start (the 101 answer), or
 * from just past the ack when the socket was acknowledged. `bytes` counts what was read here.
 */
function readUntilClose(stalled: StalledSocket): Promise<{ bytes: number; close: { code: number; reason: string } }> {
  const { socket } = stalled;
  return new Promise((resolve, reject) => {
    let bytes = stalled.pending.length;
    let pending = stalled.pending;
    let head = !stalled.acknowledged;
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      pending = Buffer.concat([pending, chunk]);
      if (head) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        pending = pending.subarray(end + 4);
        head = false;
      }
      const { frames, rest } = readServerFrames(pending);
      pending = Buffer.from(rest);
      const close = frames.find((frame) => frame.opcode === Opcode.Close);
      if (close) resolve({ bytes, close: { code: close.payload.readUInt16BE(0), reason: close.payload.subarray(2).toString() } });
    });
    socket.once('close', () => reject(new Error(`connection ended after ${bytes} bytes without a close frame`)));
    socket.resume();
  });
}

const RECEIVED = 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq content } }';
const BIG = 'x'.repeat(150_000);

const ENV = {
  WS_MAX_BUFFERED_BYTES: '65536',
  WS_KEEPALIVE_MS: '0',
  MAX_MESSAGE_LENGTH: '200000',
  MAX_MESSAGES_PER_SESSION: '5000',
  MESSAGES_PER_MINUTE: '0',
};

/** A server with `env`, and helpers to open acknowledged sockets on it. */
function useSocketServer(env: Record<string, string>) {
  const chat = useChatServer('sqlite', { ...ENV, ...env });
  const open: RawSocket[] = [];
  afterEach(() => {
    for (const socket of open.splice(0)) socket.socket.terminate();
  });
  const acknowledged = async (user: string, options: ClientOptions = {}) => {
    const socket = await openRawSocket(chat.server.wsUrl, {}, 'graphql-transport-ws', options);
    open.push(socket);
    socket.send({ type: MessageType.ConnectionInit, payload: { token: await mintToken(user) } });
    await socket.next(MessageType.ConnectionAck);
    return socket;
  };
  const waitUntilSubscribed = (sessionId: string, user: string) =>
    eventually(async () => (await chat.server.app.realtime.presence.connectedUsers(sessionId)).includes(user));
  return { chat, acknowledged, waitUntilSubscribed };
}

describe('WS_MAX_SUBSCRIPTIONS', () => {
  const { chat, acknowledged, waitUntilSubscribed } = useSocketServer({ WS_MAX_SUBSCRIPTIONS: '3' });

  it('closes with 4413 on one operation more than WS_MAX_SUBSCRIPTIONS, and counts only active ones', async () => {
    const user = uniqueUser('many');
    const sessionId = await chat.createSession(user);
    const socket = await acknowledged(user);
    const subscribe = (id: string) =>
      socket.send({ id, type: MessageType.Subscribe, payload: { query: RECEIVED, variables: { s: sessionId } } });
    subscribe('1');
    subscribe('2');
    subscribe('3');
    socket.send({ id: '3', type: MessageType.Complete });
    subscribe('4');
    await waitUntilSubscribed(sessionId, user);
    await chat.send(user, sessionId, 'hello');
    const delivered = await Promise.all([socket.next(MessageType.Next), socket.next(MessageType.Next), socket.next(MessageType.Next)]);
    expect(delivered.map((m) => m.id).sort()).toEqual(['1', '2', '4']);
    subscribe('5');
    expect(await socket.closed).toEqual({ code: 4413, reason: 'Too many operations: at most 3 may be active on one connection' });
  });
});

describe('WS_MAX_BUFFERED_BYTES', () => {
  const { chat, acknowledged, waitUntilSubscribed } = useSocketServer({});

  it('closes a client that stops reading while asking many large queries, instead of buffering every result', async () => {
    const user = uniqueUser('hoarder');
    const sessionId = await chat.createSession(user);
    for (let i = 0; i < 4; i++) await chat.send(user, sessionId, BIG);
    const stalled = await openStalledSocket(chat.server.wsUrl);
    // A subscribe before the ack is refused (4401): read only up to the ack, then never again.
    await stalled.acknowledge({ token: await mintToken(user) });
    const query = 'query($s: ID!) { messages(sessionId: $s, limit: 4) { content } }';
    // 60 results of 600 kB: about 36 MB if the server kept them all for this client.
    for (let i = 0; i < 60; i++)
      stalled.send({ id: `q${i}`, type: MessageType.Subscribe, payload: { query, variables: { s: sessionId } } });
    await eventually(() => chat.server.app.ws.connectionCount === 0, 15_000);
    // The client reads again: a bounded amount (kernel buffers, not what it asked for), then the close frame.
    const { bytes, close } = await readUntilClose(stalled);
    expect(close).toEqual({ code: 1013, reason: 'Client is not reading fast enough; reconnect with `after` to catch up' });
    expect(bytes).toBeLessThan(12 * 1024 * 1024);
  }, 30_000);

  it('lets a subscriber that reads too slowly see 1013 with the events before it in order', async () => {
    const user = uniqueUser('slow');
    const sessionId = await chat.createSession(user);
    const connection = throttledConnection(120);
    const socket = await acknowledged(user, { createConnection: connection.createConnection });
    socket.send({ id: 'feed', type: MessageType.Subscribe, payload: { query: RECEIVED, variables: { s: sessionId } } });
    await waitUntilSubscribed(sessionId, user);
    let sent = 0;
    while ((await chat.server.app.realtime.presence.connectedUsers(sessionId)).includes(user) && sent < 400) {
      await chat.send(user, sessionId, BIG);
      sent++;
    }
    const closed = await socket.closed;
    expect(closed).toEqual({ code: 1013, reason: 'Client is not reading fast enough; reconnect with `after` to catch up' });
    const seqs = socket.messages.map((m) => (m.payload as { data: { messageReceived: { seq: number } } }).data.messageReceived.seq);
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs.length).toBeLessThan(sent);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  }, 60_000);
});
