import { describe, expect, it } from 'vitest';
import { uniqueUser } from '../support/chat-fixture.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { connectWs, subscribe } from '../support/ws-client.ts';

describe('shutdown with open WebSockets', () => {
  it('closes every socket with 1001 so clients reconnect elsewhere, and stops cleanly', async () => {
    const server = await startTestServer('sqlite');
    const user = uniqueUser('leaving');
    const token = await server.token(user);
    const sessionId = dataOf(
      await graphql<{ createSession: { id: string } }>(server.graphqlUrl, 'mutation { createSession(input: {}) { id } }', {}, { token }),
    ).createSession.id;
    const clients = [connectWs(server.wsUrl, { token }), connectWs(server.wsUrl, { token })];
    for (const ws of clients) subscribe(ws.client, 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq } }', { s: sessionId });
    const deadline = Date.now() + 5000;
    while ((await server.app.realtime.presence.connectedUsers(sessionId)).length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const started = Date.now();
    await server.stop();
    const closes = await Promise.all(clients.map((c) => c.closed));
    expect(closes.map((c) => c.code)).toEqual([1001, 1001]);
    expect(closes[0]!.reason).toBe('Server shutting down');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.app.realtime.presence.size).toBe(0);
  });
});
