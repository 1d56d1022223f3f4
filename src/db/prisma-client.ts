/**
 * Creates the Prisma client for the configured database. Both providers are generated
 * from the same models (prisma/models.prisma), so the PostgreSQL client has exactly the
 * SQLite client's API; the SQLite client's type is the one the code is written against.
 */
import { PrismaClient } from '../generated/prisma-sqlite/client.ts';
import { createAdapterFactory, ensureDatabaseLocation, type DatabaseTarget } from './database-target.ts';
import { exposeRawDriver, type RawDriver } from './raw-driver.ts';
import { keepWasmOnBaselineTier } from './wasm-tiering.ts';

export type { PrismaClient };
export { Prisma, MessageRole, MessageStatus } from '../generated/prisma-sqlite/client.ts';
export type { ChatSession, ConversationMessage, SessionParticipant } from '../generated/prisma-sqlite/client.ts';

/** Called with the SQL of every query (tests count queries with it to catch N+1). */
export type QueryListener = (sql: string) => void;

/** The connection under each client made here (see raw-driver.ts). */
const rawDrivers = new WeakMap<object, () => Promise<RawDriver>>();

/** The query listener each client made here was given, so raw statements can report to it too. */
const queryListeners = new WeakMap<object, QueryListener>();

/**
 * The driver connection under `client`, for a repository's own prepared statements.
 * Its statements are not seen by the client's query listener (see queryListenerFor).
 */
export function rawDriverFor(client: PrismaClient): Promise<RawDriver> {
  const driver = rawDrivers.get(client);
  if (!driver) throw new Error('rawDriverFor: this Prisma client was not made by createPrismaClient');
  return driver();
}

/** The listener `client` reports its queries to, if any: a raw statement reports its SQL there too. */
export function queryListenerFor(client: PrismaClient): QueryListener | undefined {
  return queryListeners.get(client);
}

export async function createPrismaClient(target: DatabaseTarget, onQuery?: QueryListener): Promise<PrismaClient> {
  keepWasmOnBaselineTier();
  ensureDatabaseLocation(target);
  const exposed = exposeRawDriver(createAdapterFactory(target));
  const adapter = exposed.factory;
  const log = onQuery ? [{ emit: 'event' as const, level: 'query' as const }] : [];
  // The other provider's generated client is never loaded: it would only take memory.
  const client =
    target.provider === 'postgresql'
      ? (new (await import('../generated/prisma-postgresql/client.ts')).PrismaClient({ adapter, log }) as unknown as PrismaClient<'query'>)
      : new PrismaClient({ adapter, log });
  if (onQuery) {
    client.$on('query', (event) => onQuery(event.query));
    queryListeners.set(client, onQuery);
  }
  rawDrivers.set(client, () => exposed.driver(() => client.$connect()));
  if (target.provider === 'postgresql') return client as unknown as PrismaClient;
  // WAL lets readers run beside the single writer; NORMAL sync is durable across
  // application crashes (only an OS crash can lose the last transactions).
  await client.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await client.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  await client.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  return client as unknown as PrismaClient;
}

/** Resolves when the database answers a trivial query (readiness checks). */
export async function pingDatabase(client: PrismaClient): Promise<void> {
  await client.$queryRawUnsafe('SELECT 1');
}
