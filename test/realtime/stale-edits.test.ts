/**
 * An edit committed before a delete can still be published after it (its instance was slower
 * to publish). Subscribers must never see that edit after the deletion: the message would come
 * back to life in their view. The late edit is replayed on the session's Redis channel, as
 * another instance would publish it, between a real delete and a later real edit.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DeleteMessageDocument, UpdateMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf } from '../support/graphql-client.ts';
import { cleanPrefix, redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { connectWs, eventually, subscribe, type WsClient } from '../support/ws-client.ts';

const redisEnabled = await redisTestsEnabled();

describe.runIf(redisEnabled)('an edit published after its message was deleted', () => {
  const prefix = uniquePrefix();
  const chat = useChatServer('sqlite', { REDIS_URL: redisUrl, REDIS_CHANNEL_PREFIX: prefix });
  const clients: WsClient[] = [];
  const redis: Redis[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    for (const connection of redis.splice(0)) connection.disconnect();
  });
  afterAll(() => cleanPrefix(prefix));

  it('never reaches a subscriber', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const first = await chat.send(alice, sessionId, 'first');
    const second = await chat.send(alice, sessionId, 'second');
    const channel = `${prefix}session:${sessionId}`;
    const listener = new Redis(redisUrl);
    const publisher = new Redis(redisUrl);
    redis.push(listener, publisher);
    const published: string[] = [];
    listener.on('message', (_channel: string, raw: string) => published.push(raw));
    await listener.subscribe(channel);

    const ws = connectWs(chat.server.wsUrl, { token: await chat.server.token(alice) });
    clients.push(ws);
    const edits = subscribe<{ messageUpdated: { id: string; content: string } }>(
      ws.client,
      'subscription($s: ID!) { messageUpdated(sessionId: $s) { id content } }',
      { s: sessionId },
    );
    await waitForPresence(chat.server, sessionId, 1);

    dataOf(await chat.as(alice, UpdateMessageDocument, { id: first.id, input: { content: 'first, edited' } }));
    await edits.waitFor(1);
    await eventually(() => published.some((raw) => raw.includes('"MESSAGE_UPDATED"')), 5000, 'the edit was never published');
    const lateEdit = published.find((raw) => raw.includes('"MESSAGE_UPDATED"'))!;
    dataOf(await chat.as(alice, DeleteMessageDocument, { id: first.id }));
    await eventually(() => published.some((raw) => raw.includes('"MESSAGE_DELETED"')), 5000, 'the delete was never published');

    // The first edit again, arriving after the deletion; then a real edit of another message.
    await publisher.publish(channel, lateEdit);
    dataOf(await chat.as(alice, UpdateMessageDocument, { id: second.id, input: { content: 'second, edited' } }));
    const seen = await edits.waitFor(2);
    await eventually(() => published.length >= 4, 5000, 'the second edit was never published');
    expect(seen.map((event) => event.messageUpdated)).toEqual([
      { id: first.id, content: 'first, edited' },
      { id: second.id, content: 'second, edited' },
    ]);
    expect(edits.events).toHaveLength(2);
  });
});
