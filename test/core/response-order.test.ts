/**
 * GraphQL responses list fields in the order of the selection set (GraphQL spec, "Response
 * Format"), whichever resolver finishes first. An executor that writes keys as their
 * promises settle breaks clients that compare or hash responses.
 */
import { describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { testedProviders } from '../support/server.ts';

// `page` reads up to 200 rows and serializes them, `count` one number: the first field settles last.
const SLOW_FIRST = `query Order($id: ID!) {
  page: messages(sessionId: $id, limit: 200) { id content metadata }
  count: messageCount(sessionId: $id)
  session(id: $id) { id }
}`;

describe.each(testedProviders())('response field order on %s', (provider) => {
  const chat = useChatServer(provider, { MESSAGES_PER_MINUTE: '0' });

  it('keeps the selection order when an earlier field resolves later', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    for (let batch = 0; batch < 15; batch += 1) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          chat.send(alice, sessionId, { content: `message ${batch * 10 + i} ${'x'.repeat(200)}`, metadata: { i } }),
        ),
      );
    }
    const token = await chat.server.token(alice);
    for (let round = 0; round < 10; round += 1) {
      const response = await graphql<Record<string, unknown>>(chat.server.graphqlUrl, SLOW_FIRST, { id: sessionId }, { token });
      expect(Object.keys(dataOf(response))).toEqual(['page', 'count', 'session']);
    }
  });
});
