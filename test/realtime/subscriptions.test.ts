import { afterEach, describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { connectWs, subscribe, type WsClient } from '../support/ws-client.ts';

const MESSAGE_RECEIVED = `subscription($sessionId: ID!, $after: ID) {
  messageReceived(sessionId: $sessionId, after: $after) { id seq content authorId role }
}`;

interface Received {
  messageReceived: { id: string; seq: number; content: string; authorId: string };
}

describe('messageReceived over graphql-ws', () => {
  const chat = useChatServer('sqlite');
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  const connect = async (userId: string) => {
    const ws = connectWs(chat.server.wsUrl, { authorization: `Bearer ${await chat.server.token(userId)}` });
    clients.push(ws);
    return ws;
  };

  it('delivers every new message to every participant in order', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    const subs = await Promise.all(
      [alice, bob].map(async (user) => subscribe<Received>((await connect(user)).client, MESSAGE_RECEIVED, { sessionId })),
    );
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 1; i <= 5; i++) await chat.send(i % 2 ? alice : bob, sessionId, `m${i}`);
    for (const sub of subs) {
      const events = await sub.waitFor(5);
      expect(events.map((e) => e.messageReceived.seq)).toEqual([1, 2, 3, 4, 5]);
    }
  });
});
