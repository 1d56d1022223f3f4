/**
 * A subset of graphql-ws's own server tests (tests/server.test.ts and the invalid
 * messages of tests/common.test.ts), run against this server with real sockets: the
 * close codes and reasons of the GraphQL over WebSocket protocol.
 */
import { CloseCode, MessageType } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { openRawSocket, type RawSocket } from '../support/raw-ws.ts';
import { openTcpWs, type TcpWs } from '../support/tcp-ws.ts';
import { mintToken } from '../support/tokens.ts';
import { textFrame } from '../support/ws-frames.ts';

const RECEIVED = 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq } }';
const QUERY = '{ sessions { edges { node { id } } } }';

describe('graphql-transport-ws conformance', () => {
  const chat = useChatServer('sqlite', { WS_CONNECTION_INIT_TIMEOUT_MS: '300' });
  const open: (RawSocket | TcpWs)[] = [];
  afterEach(() => {
    for (const socket of open.splice(0)) {
      if ('ended' in socket) socket.socket.destroy();
      else socket.socket.terminate();
    }
  });
  const raw = async () => {
    const socket = await openRawSocket(chat.server.wsUrl);
    open.push(socket);
    return socket;
  };
  const acknowledged = async (user = uniqueUser('conformance')) => {
    const socket = await raw();
    socket.send({ type: MessageType.ConnectionInit, payload: { token: await mintToken(user) } });
    await socket.next(MessageType.ConnectionAck);
    return socket;
  };
  /** The socket still reads and answers: a ping sent now gets its pong. */
  const stillOpen = async (socket: RawSocket) => {
    socket.send({ type: MessageType.Ping, payload: { probe: true } });
    expect(await socket.next(MessageType.Pong)).toEqual({ type: MessageType.Pong, payload: { probe: true } });
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
  };

  describe('connection_init', () => {
    it('closes with 4408 when connection_init does not come in time', async () => {
      const socket = await raw();
      expect(await socket.closed).toEqual({ code: CloseCode.ConnectionInitialisationTimeout, reason: 'Connection initialisation timeout' });
    });

    it('closes with 4429 on a second connection_init while the first is still being checked', async () => {
      const socket = await openTcpWs(chat.server.wsUrl);
      open.push(socket);
      const init = textFrame({ type: MessageType.ConnectionInit, payload: { token: await mintToken(uniqueUser('twice')) } });
      socket.write(Buffer.concat([init, init]));
      expect(await socket.closed).toEqual({ code: CloseCode.TooManyInitialisationRequests, reason: 'Too many initialisation requests' });
    });

    it('closes with 4429 on a connection_init after the ack', async () => {
      const socket = await acknowledged();
      socket.send({ type: MessageType.ConnectionInit, payload: { token: await mintToken('again') } });
      expect(await socket.closed).toEqual({ code: CloseCode.TooManyInitialisationRequests, reason: 'Too many initialisation requests' });
    });
  });

  describe('ping and pong', () => {
    it("answers a ping with a pong carrying the ping's payload, and ignores a pong", async () => {
      const socket = await raw();
      socket.send({ type: MessageType.Ping });
      expect(await socket.next(MessageType.Pong)).toEqual({ type: MessageType.Pong });
      socket.send({ type: MessageType.Pong, payload: { ignored: true } });
      await stillOpen(socket);
      expect(socket.messages).toEqual([]);
    });
  });

  describe('subscribe', () => {
    it('closes with 4401 on subscribe before the ack, also while connection_init is pending', async () => {
      const early = await raw();
      early.send({ id: '1', type: MessageType.Subscribe, payload: { query: QUERY } });
      expect(await early.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'Unauthorized' });

      const pending = await openTcpWs(chat.server.wsUrl);
      open.push(pending);
      const init = textFrame({ type: MessageType.ConnectionInit, payload: { token: await mintToken(uniqueUser('pending')) } });
      pending.write(Buffer.concat([init, textFrame({ id: '1', type: MessageType.Subscribe, payload: { query: QUERY } })]));
      expect(await pending.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'Unauthorized' });
    });

    it('runs a query: next with the result, then complete', async () => {
      const socket = await acknowledged();
      socket.send({ id: 'q', type: MessageType.Subscribe, payload: { query: QUERY } });
      expect(await socket.next(MessageType.Next)).toEqual({
        id: 'q',
        type: MessageType.Next,
        payload: { data: { sessions: { edges: [] } } },
      });
      expect(await socket.next(MessageType.Complete)).toEqual({ id: 'q', type: MessageType.Complete });
    });

    it('closes with 4409 on a subscribe with the id of an active subscription', async () => {
      const user = uniqueUser('dup');
      const sessionId = await chat.createSession(user);
      const socket = await acknowledged(user);
      socket.send({ id: 'not-unique', type: MessageType.Subscribe, payload: { query: RECEIVED, variables: { s: sessionId } } });
      await stillOpen(socket);
      socket.send({ id: 'not-unique', type: MessageType.Subscribe, payload: { query: QUERY } });
      expect(await socket.closed).toEqual({ code: CloseCode.SubscriberAlreadyExists, reason: 'Subscriber for not-unique already exists' });
    });

    it('ignores complete for ids it does not know, and sends no complete back for one the client completed', async () => {
      const user = uniqueUser('complete');
      const sessionId = await chat.createSession(user);
      const socket = await acknowledged(user);
      socket.send({ id: 'never-subscribed', type: MessageType.Complete });
      await stillOpen(socket);
      socket.send({ id: 'live', type: MessageType.Subscribe, payload: { query: RECEIVED, variables: { s: sessionId } } });
      await stillOpen(socket);
      socket.send({ id: 'live', type: MessageType.Complete });
      socket.send({ id: 'live', type: MessageType.Complete });
      await stillOpen(socket);
      await chat.send(user, sessionId, 'after complete');
      await stillOpen(socket);
      expect(socket.messages).toEqual([]);
      // The id is free again.
      socket.send({ id: 'live', type: MessageType.Subscribe, payload: { query: QUERY } });
      await socket.next(MessageType.Complete);
    });
  });

  describe('invalid messages close with 4400', () => {
    const id = 'id';
    const invalid: [string, unknown][] = [
      ['not JSON', '{not json'],
      ['a JSON string', '""'],
      ['a JSON array', '[]'],
      ['a JSON number', '0'],
      ['an object without type', {}],
      ['an empty type', { type: '' }],
      ['a numeric type', { type: 0 }],
      ['an unknown type', { type: 'nuxt' }],
      ['connection_init with a string payload', { type: 'connection_init', payload: '' }],
      ['connection_init with a numeric payload', { type: 'connection_init', payload: 0 }],
      ['ping with a numeric payload', { type: 'ping', payload: 0 }],
      ['pong with a string payload', { type: 'pong', payload: 'x' }],
      ['subscribe without id', { type: 'subscribe', payload: { query: QUERY } }],
      ['subscribe with a numeric id', { id: 0, type: 'subscribe', payload: { query: QUERY } }],
      ['subscribe with an empty id', { id: '', type: 'subscribe', payload: { query: QUERY } }],
      ['subscribe with an id over 128 characters', { id: 'x'.repeat(129), type: 'subscribe', payload: { query: QUERY } }],
      ['subscribe without payload', { id, type: 'subscribe' }],
      ['subscribe with an array payload', { id, type: 'subscribe', payload: [] }],
      ['subscribe with a string payload', { id, type: 'subscribe', payload: '' }],
      ['subscribe without query', { id, type: 'subscribe', payload: {} }],
      ['subscribe with a numeric query', { id, type: 'subscribe', payload: { query: 0 } }],
      ['subscribe with an object query', { id, type: 'subscribe', payload: { query: {} } }],
      ['subscribe with a numeric operationName', { id, type: 'subscribe', payload: { query: QUERY, operationName: 0 } }],
      ['subscribe with an object operationName', { id, type: 'subscribe', payload: { query: QUERY, operationName: {} } }],
      ['subscribe with string variables', { id, type: 'subscribe', payload: { query: QUERY, variables: '' } }],
      ['subscribe with string extensions', { id, type: 'subscribe', payload: { query: QUERY, extensions: '' } }],
      ['complete without id', { type: 'complete' }],
      ['complete with a numeric id', { id: 0, type: 'complete' }],
      ['complete with an empty id', { id: '', type: 'complete' }],
      ['next, which only servers send', { id, type: 'next', payload: { data: {} } }],
      ['error, which only servers send', { id, type: 'error', payload: [{ message: 'x' }] }],
      ['connection_ack, which only servers send', { type: 'connection_ack' }],
    ];

    it.each(invalid)('%s, before and after the ack', async (_name, message) => {
      for (const socket of [await raw(), await acknowledged()]) {
        socket.send(message);
        const closed = await socket.closed;
        expect(closed.code).toBe(CloseCode.BadRequest);
        expect(closed.reason).toMatch(/^Invalid message received/);
      }
    });

    it('a binary frame', async () => {
      const socket = await acknowledged();
      socket.socket.send(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true });
      expect(await socket.closed).toEqual({
        code: CloseCode.BadRequest,
        reason: 'Invalid message received: binary frames are not supported',
      });
    });
  });
});
