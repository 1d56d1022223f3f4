/**
 * A page of `ChatSession.messages` next to a cursor is one query on the (sessionId, seq)
 * index: no second lookup of the cursor's message, no join, no count; and the cursor rule
 * stays Prisma's (a cursor whose message is gone yields an empty page).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import {
  CreateSessionDocument,
  DeleteMessageDocument,
  SendMessageDocument,
  SessionMessagesPageDocument,
} from '../../src/generated/operations.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { freshDatabase, testedProviders } from '../support/server.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';

const PAGE = `query($id: ID!, $before: String, $after: String, $last: Int, $first: Int) {
  session(id: $id) { messages(last: $last, before: $before, first: $first, after: $after) {
    edges { cursor node { seq } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } } }`;

interface Page {
  session: {
    messages: {
      edges: { cursor: string; node: { seq: number } }[];
      pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean; startCursor: string | null; endCursor: string | null };
    };
  };
}

describe.each(testedProviders())('history pages on %s', (provider) => {
  const queries: string[] = [];
  let app: App;
  let url: string;
  let drop: () => Promise<void>;
  let token: string;
  let sessionId: string;
  const messageIds: string[] = [];

  beforeAll(async () => {
    const db = await freshDatabase(provider);
    drop = db.drop;
    const config = loadConfig({
      DATABASE_URL: db.url,
      DATA_DIR: db.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    app = await buildApp(config, { migrate: false, onQuery: (sql) => queries.push(sql) });
    url = `${await app.start()}/graphql`;
    token = await mintToken('pager');
    sessionId = dataOf(await graphql(url, CreateSessionDocument, { input: { title: 'pages' } }, { token })).createSession.id;
    for (let i = 0; i < 10; i++) {
      messageIds.push(
        dataOf(await graphql(url, SendMessageDocument, { sessionId, input: { content: `m${i}` } }, { token })).sendMessage.id,
      );
    }
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  const page = async (variables: Record<string, unknown>) => {
    queries.length = 0;
    const result = dataOf(await graphql<Page>(url, PAGE, { id: sessionId, ...variables }, { token })).session.messages;
    const messageQueries = queries.filter((sql) => /FROM\s+\S*ConversationMessage/i.test(sql));
    return { ...result, seqs: result.edges.map((e) => e.node.seq), messageQueries };
  };

  it('reads the page before a cursor in one indexed query, with the pageInfo of a backward page', async () => {
    const newest = await page({ last: 3 });
    expect(newest.seqs).toEqual([8, 9, 10]);
    const before = await page({ last: 3, before: newest.pageInfo.startCursor });
    expect(before.seqs).toEqual([5, 6, 7]);
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    expect(before.messageQueries).toHaveLength(1);
    expect(before.messageQueries[0]).not.toMatch(/EXISTS|JOIN|COUNT/i);
    const oldest = await page({ last: 3, before: (await page({ last: 3, before: before.pageInfo.startCursor })).pageInfo.startCursor });
    expect(oldest.seqs).toEqual([1]);
    expect(oldest.pageInfo.hasPreviousPage).toBe(false);
  });

  it('reads the page after a cursor in one indexed query', async () => {
    const first = await page({ first: 4 });
    expect(first.seqs).toEqual([1, 2, 3, 4]);
    const next = await page({ first: 4, after: first.pageInfo.endCursor });
    expect(next.seqs).toEqual([5, 6, 7, 8]);
    expect(next.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    expect(next.messageQueries).toHaveLength(1);
    expect(next.messageQueries[0]).not.toMatch(/EXISTS|JOIN|COUNT/i);
  });

  it('answers an empty page next to the cursor of a message deleted meanwhile', async () => {
    const all = dataOf(await graphql(url, SessionMessagesPageDocument, { id: sessionId, first: 10 }, { token })).session.messages.edges;
    const cursorOfFifth = all.find((edge) => edge.node.seq === 5)!.cursor;
    dataOf(await graphql(url, DeleteMessageDocument, { id: messageIds[4]! }, { token }));
    expect((await page({ last: 2, before: cursorOfFifth })).seqs).toEqual([]);
    expect((await page({ first: 2, after: cursorOfFifth })).seqs).toEqual([]);
  });
});
