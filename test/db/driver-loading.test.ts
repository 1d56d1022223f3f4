import { describe, expect, it } from 'vitest';
import { modulesLoadedByServer } from '../support/module-probe.ts';
import { redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { freshDatabase, testedProviders } from '../support/server.ts';

const withRedis = await redisTestsEnabled();

const postgresDriver = (module: string) =>
  /[\\/]node_modules[\\/](pg|pg-pool|@prisma[\\/]adapter-pg)[\\/]|generated[\\/]prisma-postgresql[\\/]/.test(module);
const sqliteDriver = (module: string) => /[\\/]node_modules[\\/](better-sqlite3|@prisma[\\/]adapter-better-sqlite3)[\\/]/.test(module);
const redisDriver = (module: string) => /[\\/]node_modules[\\/](ioredis|graphql-redis-subscriptions)[\\/]/.test(module);

/** Starts src/main.ts on a fresh database, answers one query, stops; returns the modules it loaded. */
async function modulesLoadedBy(provider: 'sqlite' | 'postgresql', env: Record<string, string> = {}): Promise<string[]> {
  const database = await freshDatabase(provider);
  try {
    return await modulesLoadedByServer(database, env);
  } finally {
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
