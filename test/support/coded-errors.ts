/** Assertions for refused input: a documented code, a correlation id, no internals, and nothing stored changed. */
import { expect } from 'vitest';
import type { ChatFixture } from './chat-fixture.ts';
import { dataOf, graphql, type GraphQLResponse } from './graphql-client.ts';

/** The first error carries `code` and a correlation id; no stack, SQL or driver text anywhere. */
export function expectCodedError(response: GraphQLResponse<unknown>, code: string, message?: RegExp): void {
  expect(response.errors?.length, JSON.stringify(response.errors)).toBeGreaterThan(0);
  const [error] = response.errors!;
  expect(error!.extensions?.code, JSON.stringify(response.errors)).toBe(code);
  expect(error!.extensions?.correlationId).toMatch(/^[\w.-]{8,}$/);
  if (message) expect(error!.message).toMatch(message);
  expect(JSON.stringify(response.errors)).not.toMatch(/at .+\.(ts|js):\d+|prisma|SELECT |INSERT |postgres|sqlite/i);
}

const STORED_STATE = `query StoredState($id: ID!) {
  session(id: $id) { id title ownerId createdAt lastActivityAt messageCount lastSeq participants { userId joinedAt } }
  messages(sessionId: $id, limit: 200) { id sessionId seq role content metadata timestamp authorId editedAt clientMessageId }
}`;

/** Everything the API shows about a session and its messages, as one string to compare byte for byte. */
export async function storedState(chat: ChatFixture, userId: string, sessionId: string): Promise<string> {
  const response = await graphql(chat.server.graphqlUrl, STORED_STATE, { id: sessionId }, { token: await chat.server.token(userId) });
  // Built in a fixed order: Yoga's executor may order the two root fields as they resolve.
  const { session, messages } = dataOf(response) as { session: unknown; messages: unknown };
  return JSON.stringify({ session, messages });
}

/**
 * A JSON value as text with object keys sorted, so two values compare equal whatever key
 * order the database kept (PostgreSQL's jsonb reorders keys). Own `__proto__` keys count.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
