/**
 * A Prisma client on a fresh database for one describe block, for tests of the raw
 * statements beside Prisma's own reads: created (and seeded) before the block's tests,
 * disconnected and dropped after them; every SQL text it sends is kept in `queries`.
 */
import { afterAll, beforeAll } from 'vitest';
import { parseDatabaseUrl, type DatabaseProvider } from '../../src/db/database-target.ts';
import { createPrismaClient, type PrismaClient } from '../../src/db/prisma-client.ts';
import { freshDatabase } from './server.ts';

export interface FreshPrisma {
  readonly prisma: PrismaClient;
  /** SQL texts sent so far, oldest first (a test may empty it). */
  readonly queries: string[];
}

export function useFreshPrisma(provider: DatabaseProvider, seed: (prisma: PrismaClient) => Promise<void> = async () => {}): FreshPrisma {
  const queries: string[] = [];
  let client: PrismaClient | undefined;
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const db = await freshDatabase(provider);
    drop = db.drop;
    client = await createPrismaClient(parseDatabaseUrl(db.url), (sql) => queries.push(sql));
    await seed(client);
  });
  afterAll(async () => {
    await client?.$disconnect();
    await drop();
  });
  return {
    get prisma() {
      if (!client) throw new Error('the database is not ready yet');
      return client;
    },
    queries,
  };
}
