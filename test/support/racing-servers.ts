/**
 * Two instances of the app on one database for race tests: one in the test process, one
 * in a child process. Requests alternate between them, so writes truly compete: two
 * PostgreSQL pools, or two SQLite connections (in one process better-sqlite3's
 * synchronous calls never overlap, and the adapter serializes transactions).
 */
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseProvider } from '../../src/db/database-target.ts';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { startChildServer, type ChildServer } from './child-server.ts';
import { dataOf, graphql, type Document, type GraphQLResponse } from './graphql-client.ts';
import { startTestServer, type TestServer } from './server.ts';

/**
 * Deadline of one race test: many rounds of real concurrent requests on two instances. It is
 * a bound on a loaded CI machine (a round takes about 1 s when idle), not a wait for an event.
 */
export const RACE_TIMEOUT_MS = 120_000;

export interface RacingServers {
  /** The in-process instance (its app is reachable for server-side checks). */
  readonly local: TestServer;
  /** GraphQL URLs of both instances. */
  readonly graphqlUrls: [string, string];
  /** Runs an operation as `userId` on instance `instance % 2`. */
  as<TData, TVariables>(
    instance: number,
    userId: string,
    document: Document<TData, TVariables>,
    variables?: TVariables,
  ): Promise<GraphQLResponse<TData>>;
  createSession(ownerId: string, participantIds?: string[]): Promise<string>;
  send(instance: number, userId: string, sessionId: string, content: string): Promise<{ id: string; seq: number }>;
}

/** Starts both instances for the enclosing describe block and stops them afterwards. */
export function useRacingServers(provider: DatabaseProvider, env: Record<string, string> = {}): RacingServers {
  let local: TestServer | undefined;
  let child: ChildServer | undefined;
  beforeAll(async () => {
    local = await startTestServer(provider, env);
    child = await startChildServer({ ...local.env, ...env });
  });
  afterAll(async () => {
    await child?.stop();
    await local?.stop();
  });
  const started = () => {
    if (!local || !child) throw new Error('servers not started yet');
    return { local, child };
  };
  const servers: RacingServers = {
    get local() {
      return started().local;
    },
    get graphqlUrls(): [string, string] {
      const { local: first, child: second } = started();
      return [first.graphqlUrl, second.graphqlUrl];
    },
    async as(instance, userId, document, variables) {
      const token = await started().local.token(userId);
      return graphql(servers.graphqlUrls[instance % 2] as string, document, variables, { token });
    },
    async createSession(ownerId, participantIds = []) {
      const response = await servers.as(0, ownerId, CreateSessionDocument, { input: { title: 'race', participantIds } });
      return dataOf(response).createSession.id;
    },
    async send(instance, userId, sessionId, content) {
      return dataOf(await servers.as(instance, userId, SendMessageDocument, { sessionId, input: { content } })).sendMessage;
    },
  };
  return servers;
}
