import { describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { openStalledSocket } from '../support/stalled-ws.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { mintToken } from '../support/tokens.ts';

describe('a subscriber that cannot keep up', () => {
  const chat = useChatServer('sqlite', {
    WS_MAX_BUFFERED_BYTES: '65536',
    MAX_MESSAGES_PER_SESSION: '5000',
    MAX_MESSAGE_LENGTH: '200000',
    MESSAGES_PER_MINUTE: '0',
  });

  it('is cut off after a bounded backlog instead of growing server memory', async () => {
    const user = uniqueUser('slow');
    const sessionId = await chat.createSession(user);
    const stalled = await openStalledSocket(chat.server.wsUrl);
    // A subscribe before the ack is refused (4401): read only up to the ack, then never again.
    await stalled.acknowledge({ token: await mintToken(user) });
    stalled.send({
      id: 'flood',
      type: 'subscribe',
      payload: { query: 'subscription($s: ID!) { messageReceived(sessionId: $s) { content } }', variables: { s: sessionId } },
    });
    await waitForPresence(chat.server, sessionId, 1);
    const big = 'x'.repeat(150_000);
    let sent = 0;
    while (chat.server.app.ws.connectionCount > 0 && sent < 600) {
      await chat.send(user, sessionId, big);
      sent++;
    }
    expect(chat.server.app.ws.connectionCount).toBe(0);
    // Far fewer bytes were accepted than were published: the server stopped instead of buffering.
    expect(sent).toBeLessThan(600);
    stalled.socket.destroy();
  }, 60_000);
});
