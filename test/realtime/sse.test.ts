import { createClient } from 'graphql-sse';
import { describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';

describe('subscriptions over SSE', () => {
  const chat = useChatServer('sqlite');

  it('streams messageReceived to an SSE client with the same auth and replay as graphql-ws', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const first = await chat.send(alice, sessionId, 'stored before');
    const token = await chat.server.token(alice);
    const client = createClient({ url: chat.server.graphqlUrl, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const received: string[] = [];
    let replayed: () => void = () => {};
    const replayDone = new Promise<void>((resolve) => (replayed = resolve));
    const done = new Promise<void>((resolve, reject) => {
      const stop = client.subscribe<{ messageReceived: { content: string } }>(
        {
          query: `subscription($s: ID!, $a: Int) { messageReceived(sessionId: $s, afterSeq: $a) { content } }`,
          variables: { s: sessionId, a: 0 },
        },
        {
          next: (result) => {
            if (result.data) received.push(result.data.messageReceived.content);
            if (received.length === 1) replayed();
            if (received.length === 2) {
              stop();
              resolve();
            }
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    // The replayed message arrives only after the stream joined the session: live from here on.
    await replayDone;
    expect(first.seq).toBe(1);
    await chat.send(alice, sessionId, 'sent live');
    await done;
    client.dispose();
    expect(received).toEqual(['stored before', 'sent live']);
  });

  it('answers NOT_FOUND over SSE for a session the user is not in', async () => {
    const sessionId = await chat.createSession(uniqueUser('owner'));
    const response = await fetch(chat.server.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${await chat.server.token(uniqueUser('mallory'))}`,
      },
      body: JSON.stringify({ query: `subscription($s: ID!) { messageReceived(sessionId: $s) { id } }`, variables: { s: sessionId } }),
    });
    const text = await response.text();
    expect(text).toContain('NOT_FOUND');
  });
});
