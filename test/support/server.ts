/**
 * Starts the real app on a free port against a fresh database copied from the
 * migrated template (SQLite file copy, or PostgreSQL CREATE DATABASE … TEMPLATE).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildApp, type App, type AppOptions } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { DatabaseProvider } from '../../src/db/database-target.ts';
import { createDatabaseFromTemplate, dropDatabase, postgresUrlFor } from './postgres.ts';
import { mintToken, TEST_JWT_SECRET, type TokenOptions } from './tokens.ts';

export interface TestServer {
  app: App;
  provider: DatabaseProvider;
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  /** Environment the server was configured with (to start a sibling process on the same database). */
  env: Record<string, string>;
  token(userId: string, options?: TokenOptions): Promise<string>;
  stop(): Promise<void>;
}

/** The providers this run tests: SQLite always, PostgreSQL when CI=true or TEST_POSTGRES_URL is set. */
export function testedProviders(): DatabaseProvider[] {
  return inject('postgresTemplate') ? ['sqlite', 'postgresql'] : ['sqlite'];
}

/** A fresh database of the provider; returns its URL and a cleanup function. */
export async function freshDatabase(provider: DatabaseProvider): Promise<{ url: string; dataDir: string; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-server-'));
  if (provider === 'sqlite') {
    const file = join(dataDir, 'chat.db');
    copyFileSync(inject('sqliteTemplate'), file);
    return { url: `file:${file}`, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const template = inject('postgresTemplate');
  if (!template) throw new Error('PostgreSQL is not enabled for this run');
  const name = await createDatabaseFromTemplate(template);
  return {
    url: postgresUrlFor(name),
    dataDir,
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase(name);
    },
  };
}

export async function startTestServer(
  provider: DatabaseProvider = 'sqlite',
  env: Record<string, string> = {},
  options: AppOptions = {},
): Promise<TestServer> {
  const database = await freshDatabase(provider);
  const fullEnv = {
    DATABASE_URL: database.url,
    DATA_DIR: database.dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  };
  const app = await buildApp(loadConfig(fullEnv), { migrate: false, ...options });
  const url = await app.start();
  return {
    app,
    provider,
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    env: fullEnv,
    token: (userId, options) => mintToken(userId, options),
    async stop() {
      await app.stop();
      await database.drop();
    },
  };
}

/** One SQLite test server for a describe block (started before its tests, stopped after); call the accessor inside tests. */
export function useTestServer(env: Record<string, string>): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer('sqlite', env);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('server not started yet');
    return server;
  };
}
