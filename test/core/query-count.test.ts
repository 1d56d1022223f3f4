import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SendMessageDocument, CreateSessionDocument } from '../../src/generated/operations.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { freshDatabase } from '../support/server.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';

describe('query counts', () => {
  const queries: string[] = [];
  let app: App;
  let url: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshDatabase('sqlite');
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
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  it('loads a page of 50 messages with their session without one query per message', async () => {
    const token = await mintToken('counter');
    const sessionId = dataOf(await graphql(url, CreateSessionDocument, { input: { title: 'n+1' } }, { token })).createSession.id;
    for (let i = 0; i < 50; i++) {
      dataOf(await graphql(url, SendMessageDocument, { sessionId, input: { content: `m${i}` } }, { token }));
    }
    queries.length = 0;
    const page = await graphql<{ session: { messages: { edges: { node: { session: { title: string } } }[] } } }>(
      url,
      `query($id: ID!) { session(id: $id) { messages(first: 50) { edges { node { seq content session { id title participants { userId } } } } } } }`,
      { id: sessionId },
      { token },
    );
    expect(dataOf(page).session.messages.edges).toHaveLength(50);
    expect(queries.length).toBeLessThanOrEqual(6);
  });
});
