/**
 * Containment: whatever a Socket.IO client sends — wrong types, binary attachments, huge or
 * deeply nested payloads, events before join, unknown events, engine frames that are not
 * Socket.IO at all — gets a coded answer or a closed connection, never a crash, and stored
 * data stays as it was. Seeded (SOCKETIO_FUZZ_SEED) so a failure replays.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isErrorCode } from '../../src/errors.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { storedState } from '../support/coded-errors.ts';
import { dataOf } from '../support/graphql-client.ts';
import { expectNoInternals } from '../support/leak-check.ts';
import { Prng } from '../fuzz/prng.ts';
import { deepNest, edgeString, jsonValue } from '../fuzz/values.ts';
import { connectLegacy, type LegacyClient } from './legacy-client.ts';

const SEED = Number(process.env.SOCKETIO_FUZZ_SEED ?? 20_240_615);
const ITERATIONS = 400;
const EVENTS = ['join_session', 'send_message', 'typing', 'leave_session', 'get_session_info', 'unknown_event', '', 'connected', 'error'];

/** A payload shaped like the event's, with each field drawn from hostile values. */
function hostilePayload(prng: Prng, victimSessionId: string, ownSessionId: string): unknown {
  const field = () => jsonValue(prng);
  return prng.weighted<() => unknown>([
    [3, field],
    [2, () => ({ sessionId: prng.pick([victimSessionId, ownSessionId, edgeString(prng), field()]) })],
    [
      3,
      () => ({ content: prng.chance(0.5) ? field() : edgeString(prng), metadata: prng.chance(0.5) ? field() : deepNest(prng.int(5, 200)) }),
    ],
    [1, () => ({ content: 'binary', metadata: { blob: Buffer.from([0, 1, 2]) } })],
    [1, () => Buffer.from(edgeString(prng))],
    [2, () => ({ isTyping: field() })],
    [1, () => JSON.parse('{"__proto__": {"polluted": true}, "sessionId": "x", "content": "y"}')],
    [1, () => ({ content: 'x'.repeat(prng.pick([10_001, 60_000])) })],
  ])();
}

function expectWellFormedReply(reply: unknown): void {
  if (reply === null) return;
  expect(reply).toMatchObject({ type: expect.any(String), timestamp: expect.any(String) });
  const { type, data } = reply as { type: string; data: Record<string, unknown> };
  expect(['session_joined', 'message_received', 'session_info', 'error']).toContain(type);
  if (type === 'error') {
    expect(isErrorCode(data.code), `code ${String(data.code)}`).toBe(true);
    expect(data.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(data.correlationId).toMatch(/^[\w.-]{8,}$/);
  }
  expectNoInternals(reply);
}

describe('Socket.IO hostile input', () => {
  const chat = useChatServer('sqlite', { MESSAGES_PER_MINUTE: '0', TYPING_EVENTS_PER_10S: '0' });

  it(`answers ${ITERATIONS} hostile events with well-formed replies and changes no one else's data (seed ${SEED})`, async () => {
    const alice = uniqueUser('alice');
    const mallory = uniqueUser('mallory');
    const victimSessionId = await chat.createSession(alice, [], 'victim');
    await chat.send(alice, victimSessionId, { content: 'keep me', metadata: { exact: [1, 'two'] } });
    const ownSessionId = await chat.createSession(mallory, [], 'own');
    const before = await storedState(chat, alice, victimSessionId);

    let client: LegacyClient = await connectLegacy(chat.server.url, await chat.server.token(mallory));
    let acknowledgedSends = 0;
    let unacknowledgedSends = 0;
    let reconnects = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const prng = Prng.forIteration(SEED, i);
      if (!client.socket.connected) {
        // A packet over the size bound closed the connection (as it should): connect again.
        client.close();
        client = await connectLegacy(chat.server.url, await chat.server.token(mallory));
        reconnects += 1;
      }
      // Often joined first, so the hostile event also reaches the paths behind the join.
      if (prng.chance(0.4))
        expect((await client.request<{ type: string }>('join_session', { sessionId: ownSessionId })).type).toBe('session_joined');
      const event = prng.pick(EVENTS);
      const args = Array.from(
        {
          length: prng.weighted([
            [6, 1],
            [1, 0],
            [1, 3],
          ]),
        },
        () => hostilePayload(prng, victimSessionId, ownSessionId),
      );
      if (prng.chance(0.2)) {
        if (event === 'send_message') unacknowledgedSends += 1;
        client.socket.emit(event, ...args);
        continue;
      }
      const reply = await client.socket
        .timeout(10_000)
        .emitWithAck(event, ...args)
        .catch((error: unknown) => (client.socket.connected ? Promise.reject(error) : null));
      expectWellFormedReply(reply);
      if ((reply as { type?: string } | null)?.type === 'message_received') acknowledgedSends += 1;
    }
    client.close();

    expect(await storedState(chat, alice, victimSessionId)).toBe(before);
    // Every message stored in mallory's own session was acknowledged as sent (nothing stored silently).
    const own = dataOf(await chat.as(mallory, `query($s: ID!) { messageCount(sessionId: $s) }`, { s: ownSessionId }));
    expect((own as { messageCount: number }).messageCount).toBeLessThanOrEqual(acknowledgedSends + unacknowledgedSends);
    expect(reconnects).toBeLessThan(ITERATIONS);
    // Still serving.
    const fresh = await connectLegacy(chat.server.url, await chat.server.token(alice));
    expect((await fresh.request<{ type: string }>('join_session', { sessionId: victimSessionId })).type).toBe('session_joined');
    fresh.close();
    expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
  }, 120_000);

  it('survives engine frames that are not Socket.IO packets', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const before = await storedState(chat, alice, sessionId);
    const url = `${chat.server.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const frames: (string | Buffer)[] = [
      'garbage',
      '4',
      '40/chat,{not json',
      `40/chat,${JSON.stringify({ token: 'x'.repeat(9000) })}`,
      '42/chat,["join_session"',
      '42/chat,{"a":1}',
      '451-/chat,["send_message",{"_placeholder":true,"num":9}]',
      '43/chat,1["x"]',
      '41/nope,',
      Buffer.from([0xff, 0x00, 0x13]),
      '9',
      '2probe',
      '',
    ];
    for (const frame of frames) {
      const socket = new WebSocket(url);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => {});
      await new Promise<void>((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
      socket.send(frame);
      socket.send('42/chat,["send_message",{"content":"no handshake"}]');
      socket.close();
      await closed;
    }
    expect(await storedState(chat, alice, sessionId)).toBe(before);
    const fresh = await connectLegacy(chat.server.url, await chat.server.token(alice));
    expect((await fresh.request<{ type: string }>('join_session', { sessionId })).type).toBe('session_joined');
    fresh.close();
  });
});
