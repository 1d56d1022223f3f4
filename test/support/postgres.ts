/**
 * PostgreSQL for tests: the local server (TEST_POSTGRES_URL, default
 * postgresql://postgres@127.0.0.1:5432/test). Enabled when CI=true or a URL is given;
 * in CI an unreachable server fails the run instead of skipping.
 */
import pg from 'pg';

export const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export function postgresWanted(): boolean {
  return process.env.CI === 'true' || Boolean(process.env.TEST_POSTGRES_URL);
}

/** The URL of database `name` on the same server as the admin URL. */
export function postgresUrlFor(name: string, adminUrl = postgresAdminUrl): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withPostgresAdmin<T>(work: (client: pg.Client) => Promise<T>, adminUrl = postgresAdminUrl): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database cloned from the migrated template; PostgreSQL copies it in milliseconds. */
export async function createDatabaseFromTemplate(template: string, prefix = 'chat_test'): Promise<string> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await withPostgresAdmin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  await withPostgresAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
