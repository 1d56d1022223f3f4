/**
 * Clients that break the WebSocket or graphql-transport-ws rules on purpose, against the
 * real entry point in its own process: after each case the process is still running and
 * still serves a well-behaved client. Each of these used to end the process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { freshDatabase } from '../support/server.ts';
import { openTcpWs, type TcpWs } from '../support/tcp-ws.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';
import { clientFrame, closeFrame, Opcode, textFrame } from '../support/ws-frames.ts';

const MULTI_BYTE = '一'; // three UTF-8 bytes

describe('hostile WebSocket clients cannot stop the server', () => {
  let server: ChildServer;
  let dropDatabase = async () => {};
  beforeAll(async () => {
    const database = await freshDatabase('sqlite');
    dropDatabase = database.drop;
    server = await startChildServer({
      DATABASE_URL: database.url,
      DATA_DIR: database.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      WEBSOCKET_CORS_ORIGIN: 'https://app.example',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await dropDatabase();
  });

  /** Once the server is done with `hostile`, the process is alive and a well-behaved client still gets connection_ack. */
  async function expectServing(...hostile: TcpWs[]): Promise<void> {
    for (const socket of hostile) {
      socket.socket.end();
      await socket.ended;
    }
    const probe = await openTcpWs(server.wsUrl);
    expect(await probe.status).toBe(101);
    probe.send({ type: 'connection_init', payload: { token: await mintToken('probe') } });
    await probe.next('connection_ack');
    probe.socket.destroy();
    expect(server.child.exitCode).toBeNull();
  }

  async function acknowledged(user = 'hostile'): Promise<TcpWs> {
    const socket = await openTcpWs(server.wsUrl);
    socket.send({ type: 'connection_init', payload: { token: await mintToken(user) } });
    await socket.next('connection_ack');
    return socket;
  }

  it('answers 400 to an upgrade whose request target is not a URL', async () => {
    for (const target of ['//[', '//[::1', 'http://[/graphql']) {
      const socket = await openTcpWs(server.wsUrl, { target });
      expect(await socket.status).toBe(400);
      socket.socket.destroy();
    }
    await expectServing();
  });

  it('closes with 4400 on a message type of many multi-byte characters before connection_init', async () => {
    const socket = await openTcpWs(server.wsUrl);
    socket.send({ type: MULTI_BYTE.repeat(200) });
    const closed = await socket.closed;
    expect(closed.code).toBe(4400);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    await expectServing(socket);
  });

  it('closes with 4409 on a duplicate multi-byte subscription id sent twice in one write', async () => {
    const socket = await acknowledged();
    const subscribe = textFrame({
      id: `a${MULTI_BYTE.repeat(63)}`,
      type: 'subscribe',
      payload: { query: '{ sessions { edges { node { id } } } }' },
    });
    socket.write(Buffer.concat([subscribe, subscribe]));
    const closed = await socket.closed;
    expect(closed.code).toBe(4409);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    await expectServing(socket);
  });

  it('survives clients that reset the connection right after a refused upgrade', async () => {
    const reset: TcpWs[] = [];
    for (let i = 0; i < 20; i++) {
      for (const options of [{ target: '/not-graphql' }, { headers: { origin: 'https://evil.example' } }]) {
        const socket = await openTcpWs(server.wsUrl, options);
        socket.socket.resetAndDestroy();
        reset.push(socket);
      }
    }
    await expectServing(...reset);
  });

  const malformed: [string, Buffer][] = [
    ['an unmasked frame', clientFrame('{"type":"ping"}', { masked: false })],
    ['reserved bits set', clientFrame('{"type":"ping"}', { rsv: 0b100 })],
    ['a reserved opcode', clientFrame('x', { opcode: 0x3 })],
    ['an invalid close code', closeFrame(999)],
    ['invalid UTF-8 in a text frame', clientFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
    ['a continuation frame without a start', clientFrame('x', { opcode: Opcode.Continuation })],
  ];

  it.each(malformed)('survives %s after an upgrade without the graphql-transport-ws subprotocol (4406)', async (_name, frame) => {
    const socket = await openTcpWs(server.wsUrl, { protocol: null });
    expect(await socket.status).toBe(101);
    socket.write(frame);
    const closed = await socket.closed;
    expect(closed.code).toBe(4406);
    await expectServing(socket);
  });

  it.each(malformed)('survives %s on a graphql-transport-ws socket, before and after connection_init', async (_name, frame) => {
    const fresh = await openTcpWs(server.wsUrl);
    expect(await fresh.status).toBe(101);
    fresh.write(frame);
    await fresh.closed;
    const acked = await acknowledged();
    acked.write(frame);
    await acked.closed;
    await expectServing(fresh, acked);
  });
});
