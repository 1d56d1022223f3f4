/**
 * A server loads only the drivers its configuration uses: on SQLite without REDIS_URL,
 * neither the PostgreSQL driver (pg, its Prisma adapter, its generated client) nor ioredis
 * is loaded, since each only takes memory there. The child server's loaded modules are
 * recorded by test/support/module-probe.mjs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startChildServer } from '../support/child-server.ts';
import { graphql } from '../support/graphql-client.ts';
import { redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { freshDatabase, testedProviders } from '../support/server.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';

const probe = fileURLToPath(new URL('../support/module-probe.mjs', import.meta.url));
const withRedis = await redisTestsEnabled();

const postgresDriver = (module: string) =>
  /[\\/]node_modules[\\/](pg|pg-pool|@prisma[\\/]adapter-pg)[\\/]|generated[\\/]prisma-postgresql[\\/]/.test(module);
const sqliteDriver = (module: string) => /[\\/]node_modules[\\/](better-sqlite3|@prisma[\\/]adapter-better-sqlite3)[\\/]/.test(module);
const redisDriver = (module: string) => /[\\/]node_modules[\\/](ioredis|graphql-redis-subscriptions)[\\/]/.test(module);

/** Starts src/main.ts on a fresh database, answers one query, stops; returns the modules it loaded. */
async function modulesLoadedBy(provider: 'sqlite' | 'postgresql', env: Record<string, string> = {}): Promise<string[]> {
  const database = await freshDatabase(provider);
  const probeDir = mkdtempSync(join(tmpdir(), 'module-probe-'));
  const probeFile = join(probeDir, 'modules.json');
  try {
    const server = await startChildServer({
      DATABASE_URL: database.url,
      DATA_DIR: database.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'silent',
      NODE_OPTIONS: `--import=${probe}`,
      MODULE_PROBE_FILE: probeFile,
      ...env,
    });
    const answer = await graphql(
      server.graphqlUrl,
      '{ sessions(first: 1) { edges { node { id } } } }',
      {},
      { token: await mintToken('driver-probe') },
    );
    expect(answer.errors).toBeUndefined();
    await server.stop();
    return JSON.parse(readFileSync(probeFile, 'utf8')) as string[];
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
    await database.drop();
  }
}

describe('driver loading', () => {
  it('on SQLite without Redis, loads neither the PostgreSQL driver nor ioredis', async () => {
    const modules = await modulesLoadedBy('sqlite');
    expect(modules.some(sqliteDriver)).toBe(true);
    expect(modules.filter(postgresDriver)).toEqual([]);
    expect(modules.filter(redisDriver)).toEqual([]);
  }, 60_000);

  it.runIf(testedProviders().includes('postgresql'))(
    'on PostgreSQL, loads its driver and not the SQLite one',
    async () => {
      const modules = await modulesLoadedBy('postgresql');
      expect(modules.some(postgresDriver)).toBe(true);
      expect(modules.filter(sqliteDriver)).toEqual([]);
    },
    60_000,
  );

  it.runIf(withRedis)(
    'with REDIS_URL, loads ioredis',
    async () => {
      const modules = await modulesLoadedBy('sqlite', { REDIS_URL: redisUrl, REDIS_CHANNEL_PREFIX: uniquePrefix() });
      expect(modules.some(redisDriver)).toBe(true);
    },
    60_000,
  );
});
