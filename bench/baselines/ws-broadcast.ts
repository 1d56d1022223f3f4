/**
 * Baseline: a raw `ws` broadcast server. Clients speak just enough graphql-transport-ws
 * (connection_init → connection_ack, subscribe with variables.s) for the suite's
 * lean client; POST /publish {channel, content} serializes one `next` frame, shaped like
 * the chat server's messageReceived frame, once and writes it to every subscriber of the channel.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const channels = new Map<string, Set<WebSocket>>();
let seq = 0;

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/publish') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { channel, content } = JSON.parse(Buffer.concat(chunks).toString()) as { channel: string; content: string };
    seq += 1;
    const message = { id: randomUUID(), seq, content, timestamp: new Date().toISOString(), authorId: 'bench-owner' };
    const frame = Buffer.from(JSON.stringify({ id: '1', type: 'next', payload: { data: { messageReceived: message } } }));
    for (const socket of channels.get(channel) ?? []) socket.send(frame, { binary: false });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"data":{"ok":true}}');
  });
});

const wss = new WebSocketServer({
  server,
  handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
});
wss.on('connection', (socket) => {
  let joined: Set<WebSocket> | undefined;
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string; payload?: { variables?: { s?: string } } };
    if (message.type === 'connection_init') return socket.send('{"type":"connection_ack"}');
    if (message.type !== 'subscribe') return;
    const channel = String(message.payload?.variables?.s ?? '');
    joined = channels.get(channel) ?? new Set();
    channels.set(channel, joined);
    joined.add(socket);
  });
  socket.on('close', () => joined?.delete(socket));
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => {
  for (const socket of wss.clients) socket.terminate();
  server.close(() => process.exit(0));
});
