/**
 * What an idle subscribed connection holds is kept in few shared places (the hub's channels,
 * presence, the one expiry schedule, the per-user slot counter): closing connections, however
 * they end, must leave nothing of them there.
 */
import { describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { openRawSocket, type RawSocket } from '../support/raw-ws.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { mintToken } from '../support/tokens.ts';
import { eventually } from '../support/ws-client.ts';

const RECEIVED = 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq } }';
const TYPING = 'subscription($s: ID!) { typing(sessionId: $s) { userId } }';

describe('closed graphql-ws connections', () => {
  const chat = useChatServer('sqlite', { CONNECTIONS_PER_USER: '2' });

  it('leave no connection, channel, presence entry, expiry or connection slot behind', async () => {
    const user = uniqueUser('leaks');
    const sessionId = await chat.createSession(user);
    const { app } = chat.server;
    const open = async (operations: string[]): Promise<RawSocket> => {
      const socket = await openRawSocket(chat.server.wsUrl);
      socket.send({ type: 'connection_init', payload: { token: await mintToken(user) } });
      await socket.next('connection_ack');
      operations.forEach((query, i) => socket.send({ id: `op${i}`, type: 'subscribe', payload: { query, variables: { s: sessionId } } }));
      return socket;
    };
    // Three rounds at the per-user limit: a slot left claimed would refuse the next round.
    for (let round = 0; round < 3; round++) {
      const one = await open([RECEIVED]);
      const two = await open([RECEIVED, TYPING]);
      await waitForPresence(chat.server, sessionId, 1);
      expect(app.ws.connectionCount).toBe(2);
      expect(app.ws.scheduledExpiries).toBe(2);
      // One ends its operations first, the other just goes away.
      one.send({ id: 'op0', type: 'complete' });
      one.socket.close();
      two.socket.terminate();
      await eventually(
        () => app.ws.connectionCount === 0 && app.realtime.hub.channelCount === 0 && app.realtime.presence.size === 0,
        5000,
        `round ${round}: connections, channels or presence entries were left`,
      );
      expect(app.ws.scheduledExpiries).toBe(0);
    }
  });
});
