/**
 * Live deltas of a streamed reply take the fan-out path messages take: each reader's stream is
 * an event queue pushed synchronously, so a delta is executed, serialized and framed once per
 * instance and document however many read it. Each reader still gets exactly the deltas it
 * lacks from its own offset (a reader that joins late: the text so far, then the live ones), and
 * a reader with another selection gets its own payload.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionEvent } from '../../src/realtime/events.ts';
import { PushDelivery } from '../../src/ws/push-delivery.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { graphql } from '../support/graphql-client.ts';
import { testedProviders } from '../support/server.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { connectWs, subscribe, type WsClient } from '../support/ws-client.ts';
import { append, COMPLETE, readStream, startReply } from './reply-client.ts';

describe.each(testedProviders())('reply deltas fanned out on %s', (provider) => {
  const chat = useChatServer(provider, { STREAM_FLUSH_INTERVAL_MS: '100' });
  const clients: WsClient[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  const connect = async (userId: string) => {
    const ws = connectWs(chat.server.wsUrl, { token: await chat.server.token(userId) });
    clients.push(ws);
    return ws.client;
  };

  it('pushes one delta object to every reader, each getting exactly the deltas it lacks from its offset', async () => {
    const owner = uniqueUser('owner');
    const readers = [uniqueUser('from-0'), uniqueUser('from-3'), uniqueUser('from-5'), uniqueUser('fields'), uniqueUser('late')];
    const sessionId = await chat.createSession(owner, readers);
    const botToken = await chat.server.token(uniqueUser('bot'), { service: true });
    const url = chat.server.graphqlUrl;
    const reply = await startReply(url, botToken, sessionId);
    await append(url, botToken, reply.id, [{ index: 0, text: 'Hello ' }]);

    const pushed = vi.spyOn(PushDelivery.prototype, 'next');
    const fromStart = readStream(await connect(readers[0]!), reply.id, 0);
    const fromMiddle = readStream(await connect(readers[1]!), reply.id, 3);
    const fromEnd = readStream(await connect(readers[2]!), reply.id, 5);
    const fewerFields = subscribe<{ messageStream: { offset: number; text: string } }>(
      await connect(readers[3]!),
      'subscription($id: ID!) { messageStream(messageId: $id) { offset text } }',
      { id: reply.id },
    );
    await waitForPresence(chat.server, sessionId, 4);
    // Every reader has its replay, so it read its snapshot before the next append (a snapshot
    // read after it would hold "wor" already, and the reader would get it in its replay).
    await Promise.all([fromStart, fromMiddle, fromEnd].map((reader) => reader.reached(6)));
    await fewerFields.waitFor(1);
    await append(url, botToken, reply.id, [{ index: 1, text: 'wor' }]);
    await fromStart.reached(9);
    const late = readStream(await connect(readers[4]!), reply.id, 0);
    await late.reached(9);
    await append(url, botToken, reply.id, [{ index: 2, text: 'ld' }]);
    await graphql(url, COMPLETE, { id: reply.id }, { token: botToken });

    const deltasOf = (reader: typeof fromStart) =>
      reader.sub.events.map((e) => e.messageStream).map(({ offset, text, done }) => (done ? `end@${offset}` : `${offset}:${text}`));
    await Promise.all([fromStart, fromMiddle, fromEnd, late].map((reader) => reader.done()));
    expect(deltasOf(fromStart)).toEqual(['0:Hello ', '6:wor', '9:ld', 'end@11']);
    expect(deltasOf(fromMiddle)).toEqual(['3:lo ', '6:wor', '9:ld', 'end@11']);
    expect(deltasOf(fromEnd)).toEqual(['5: ', '6:wor', '9:ld', 'end@11']);
    expect(deltasOf(late)).toEqual(['0:Hello wor', '9:ld', 'end@11']);
    await fewerFields.waitFor(4);
    expect(fewerFields.events.map((e) => e.messageStream)).toEqual([
      { offset: 0, text: 'Hello ' },
      { offset: 6, text: 'wor' },
      { offset: 9, text: 'ld' },
      { offset: 11, text: '' },
    ]);

    // The live deltas went through the push delivery, each as one object for all its readers.
    const liveDeltas = pushed.mock.calls
      .map(([event]) => event as SessionEvent)
      .filter((event) => event.type === 'MESSAGE_DELTA' && event.messageId === reply.id && event.offset > 3);
    const readersOf = (offset: number) => {
      const objects = new Set(liveDeltas.filter((e) => e.type === 'MESSAGE_DELTA' && e.offset === offset));
      return { objects: objects.size, deliveries: liveDeltas.filter((e) => objects.has(e)).length };
    };
    // "wor" reached the four readers live (the late one had it in its replay), "ld" all five.
    expect(readersOf(6)).toEqual({ objects: 1, deliveries: 4 });
    expect(readersOf(9)).toEqual({ objects: 1, deliveries: 5 });
  });
});
