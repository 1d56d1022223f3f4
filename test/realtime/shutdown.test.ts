import { describe, expect, it } from 'vitest';
import { uniqueUser } from '../support/chat-fixture.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { connectWs, subscribe } from '../support/ws-client.ts';

describe('shutdown with open WebSockets', () => {
  it('closes every socket with 1001 so clients reconnect elsewhere, and stops cleanly', async () => {
    const server = await startTestServer('sqlite');
    const user = uniqueUser('leaving');
    const other = uniqueUser('leaving-too');
    const token = await server.token(user);
    const sessionId = dataOf(
      await graphql<{ createSession: { id: string } }>(
        server.graphqlUrl,
        'mutation($p: [ID!]) { createSession(input: { participantIds: $p }) { id } }',
        { p: [other] },
        { token },
      ),
    ).createSession.id;
    // One user per socket, so presence of both proves both subscriptions are open.
    const clients = [connectWs(server.wsUrl, { token }), connectWs(server.wsUrl, { token: await server.token(other) })];
    for (const ws of clients) subscribe(ws.client, 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq } }', { s: sessionId });
    await waitForPresence(server, sessionId, 2);
    const started = Date.now();
    await server.stop();
    const closes = await Promise.all(clients.map((c) => c.closed));
    expect(closes.map((c) => c.code)).toEqual([1001, 1001]);
    expect(closes[0]!.reason).toBe('Server shutting down');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.app.realtime.presence.size).toBe(0);
  });
});
