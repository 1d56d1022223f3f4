/**
 * A stock GraphQL client reads a streamed reply: urql (@urql/core) with its subscription
 * exchange over graphql-ws, as an assistant UI would, driven by the reference assistant.
 */
import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { pipe, subscribe as wonkaSubscribe } from 'wonka';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { replyTo, startAssistant } from '../../scripts/assistant-bot.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { eventually } from '../support/ws-client.ts';
import { CANCEL, type StreamEvent } from './reply-client.ts';

describe('urql reads a streamed reply', () => {
  const chat = useChatServer('sqlite');
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function urqlFor(userId: string): Promise<Client> {
    const token = await chat.server.token(userId);
    const ws = createWsClient({ url: chat.server.wsUrl, webSocketImpl: WebSocket, connectionParams: { token }, retryAttempts: 0 });
    cleanups.push(() => ws.dispose());
    return new Client({
      url: chat.server.graphqlUrl,
      fetchOptions: { headers: { authorization: `Bearer ${token}` } },
      exchanges: [
        fetchExchange,
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
          }),
        }),
      ],
    });
  }

  /** Follows messageReceived and the stream of the first ASSISTANT reply with urql; resolves the reply's events. */
  function followReply(client: Client, sessionId: string, onDelta?: (id: string, text: string) => void): Promise<StreamEvent[]> {
    return new Promise((resolve, reject) => {
      const received = pipe(
        client.subscription<{ messageReceived: { id: string; role: string } }>(
          `subscription($s: ID!) { messageReceived(sessionId: $s) { id role } }`,
          { s: sessionId },
        ),
        wonkaSubscribe((result) => {
          const message = result.data?.messageReceived;
          if (result.error) reject(result.error);
          if (message?.role !== 'ASSISTANT') return;
          received.unsubscribe();
          const events: StreamEvent[] = [];
          const stream = pipe(
            client.subscription<{ messageStream: StreamEvent }>(
              `subscription($id: ID!) { messageStream(messageId: $id) { messageId offset text status finishReason done } }`,
              { id: message.id },
            ),
            wonkaSubscribe((event) => {
              if (event.error) reject(event.error);
              const item = event.data?.messageStream;
              if (!item) return;
              events.push(item);
              if (!item.done) onDelta?.(message.id, item.text);
              if (item.done) {
                stream.unsubscribe();
                resolve(events);
              }
            }),
          );
        }),
      );
    });
  }

  it('assembles the assistant’s reply from the deltas and ends with COMPLETE', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const bot = startAssistant({
      wsUrl: chat.server.wsUrl,
      token: await chat.server.token('urql-bot', { service: true }),
      sessionId,
      delayMs: 2,
    });
    cleanups.push(() => bot.stop());
    const client = await urqlFor(alice);
    const reply = followReply(client, sessionId);
    // Both must be watching before the question is sent: the reader and the assistant.
    await eventually(
      async () => {
        const present = await chat.server.app.realtime.presence.connectedUsers(sessionId);
        return present.includes(alice) && present.includes('urql-bot');
      },
      15_000,
      'urql or the assistant never subscribed',
    );
    await chat.send(alice, sessionId, 'stream this through urql please');
    const events = await reply;
    expect(
      events
        .filter((e) => !e.done)
        .map((e) => e.text)
        .join(''),
    ).toBe(replyTo('stream this through urql please'));
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE', finishReason: 'stop' });
  });

  it('stops the assistant with cancelMessage from the reader, keeping the words produced so far', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const finished: { messageId: string; status: string }[] = [];
    const bot = startAssistant({
      wsUrl: chat.server.wsUrl,
      token: await chat.server.token('urql-bot-2', { service: true }),
      sessionId,
      delayMs: 30,
      wordsPerAppend: 1,
      onReply: (r) => finished.push(r),
    });
    cleanups.push(() => bot.stop());
    const client = await urqlFor(alice);
    let cancelled = false;
    const reply = followReply(client, sessionId, (id) => {
      if (cancelled) return;
      cancelled = true;
      void client.mutation(CANCEL, { id }).toPromise();
    });
    // Both must be watching before the question is sent: the reader and the assistant.
    await eventually(
      async () => {
        const present = await chat.server.app.realtime.presence.connectedUsers(sessionId);
        return present.includes(alice) && present.includes('urql-bot-2');
      },
      15_000,
      'urql or the assistant never subscribed',
    );
    await chat.send(alice, sessionId, 'a long question with many many words to answer slowly one by one');
    const events = await reply;
    const final = events.at(-1)!;
    expect(final).toMatchObject({ done: true, status: 'CANCELLED' });
    const text = events
      .filter((e) => !e.done)
      .map((e) => e.text)
      .join('');
    expect(replyTo('a long question with many many words to answer slowly one by one').startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(replyTo('a long question with many many words to answer slowly one by one').length);
    await eventually(() => finished.length === 1, 5000, 'the assistant never noticed the cancel');
    expect(finished[0]!.status).toBe('CANCELLED');
  });
});
