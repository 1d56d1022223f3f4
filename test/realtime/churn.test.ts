import { describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { openRawSocket } from '../support/raw-ws.ts';
import { mintToken } from '../support/tokens.ts';
import { eventually } from '../support/ws-client.ts';

describe('subscription churn', () => {
  const chat = useChatServer('sqlite');

  it('releases every channel, presence entry and listener after 2,000 subscribe/unsubscribe cycles (ids reused at once)', async () => {
    const user = uniqueUser('churn');
    const sessions = [await chat.createSession(user), await chat.createSession(user)];
    const socket = await openRawSocket(chat.server.wsUrl);
    socket.send({ type: 'connection_init', payload: { token: await mintToken(user) } });
    await socket.next('connection_ack');
    const { realtime } = chat.server.app;
    for (let i = 0; i < 2000; i++) {
      const id = i % 2 ? `s${i}` : 'reused';
      const query =
        i % 2
          ? 'subscription($s: ID!) { typing(sessionId: $s) { userId } }'
          : 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq } }';
      socket.send({ id, type: 'subscribe', payload: { query, variables: { s: sessions[i % 2] } } });
      socket.send({ id, type: 'complete' });
      if (i % 200 === 199) {
        socket.send({ type: 'ping' });
        await socket.next('pong');
      }
    }
    await eventually(
      () => realtime.hub.channelCount === 0 && realtime.presence.size === 0,
      5000,
      'channels or presence entries were not released',
    );
    expect(realtime.hub.channelCount).toBe(0);
    expect(realtime.presence.size).toBe(0);
    // The connection still works after the churn.
    socket.send({ id: 'last', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect(await socket.next('next')).toMatchObject({ id: 'last', payload: { data: { __typename: 'Query' } } });
    socket.socket.close();
  });
});
