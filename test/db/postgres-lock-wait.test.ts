/**
 * A send that cannot get the session row in time (another transaction holds it locked past
 * Prisma's interactive-transaction timeout) answers SERVICE_UNAVAILABLE, retryable, and stores
 * nothing; it is an overload the client can retry, never a masked INTERNAL_SERVER_ERROR.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MessageCountDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf } from '../support/graphql-client.ts';
import { expectCodedError } from '../support/coded-errors.ts';
import { testedProviders } from '../support/server.ts';

describe.runIf(testedProviders().includes('postgresql'))('a session row locked past the transaction timeout on postgresql', () => {
  const chat = useChatServer('postgresql', { MESSAGES_PER_MINUTE: '0' });

  it('answers SERVICE_UNAVAILABLE (retryable) and stores nothing', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const holder = new pg.Client({ connectionString: chat.server.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM "ChatSession" WHERE id = $1 FOR UPDATE', [sessionId]);
      const response = await chat.as(alice, SendMessageDocument, { sessionId, input: { content: 'blocked' } });
      expectCodedError(response, 'SERVICE_UNAVAILABLE');
      expect(response.errors?.[0]?.extensions?.retryable).toBe(true);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    expect(dataOf(await chat.as(alice, MessageCountDocument, { sessionId })).messageCount).toBe(0);
    const after = dataOf(await chat.as(alice, SendMessageDocument, { sessionId, input: { content: 'after' } }));
    expect(after.sendMessage.seq).toBe(1);
    // The lock timeout is 15 s; this bounds the whole test on a loaded machine.
  }, 60_000);
});
