/** Shared steps for chat tests: a server per suite, users with tokens, sessions and messages. */
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseProvider } from '../../src/db/database-target.ts';
import { CreateSessionDocument, SendMessageDocument, type SendMessageInput } from '../../src/generated/operations.ts';
import { dataOf, graphql, type Document, type GraphQLResponse } from './graphql-client.ts';
import { startTestServer, type TestServer } from './server.ts';
import type { TokenOptions } from './tokens.ts';

export interface ChatFixture {
  server: TestServer;
  /** Runs an operation as `userId` (a token is minted per call). */
  as<TData, TVariables>(
    userId: string,
    document: Document<TData, TVariables>,
    variables?: TVariables,
    options?: TokenOptions,
  ): Promise<GraphQLResponse<TData>>;
  createSession(ownerId: string, participantIds?: string[], title?: string): Promise<string>;
  send(userId: string, sessionId: string, input: SendMessageInput | string, options?: TokenOptions): Promise<{ id: string; seq: number }>;
}

/** Starts one server for the enclosing describe block and stops it afterwards. */
export function useChatServer(provider: DatabaseProvider, env: Record<string, string> = {}): ChatFixture {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(provider, env);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const fixture: ChatFixture = {
    get server() {
      if (!server) throw new Error('server not started yet');
      return server;
    },
    async as(userId, document, variables, options) {
      const token = await fixture.server.token(userId, options);
      return graphql(fixture.server.graphqlUrl, document, variables, { token });
    },
    async createSession(ownerId, participantIds = [], title = 'test session') {
      const response = await fixture.as(ownerId, CreateSessionDocument, { input: { title, participantIds } });
      return dataOf(response).createSession.id;
    },
    async send(userId, sessionId, input, options) {
      const response = await fixture.as(
        userId,
        SendMessageDocument,
        { sessionId, input: typeof input === 'string' ? { content: input } : input },
        options,
      );
      return dataOf(response).sendMessage;
    },
  };
  return fixture;
}

let counter = 0;
/** A user id no other test uses. */
export function uniqueUser(name: string): string {
  counter += 1;
  return `${name}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
}
