/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (the server also does this at start). */
import { loadConfig } from '../src/config.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { MigrationLockTimeout } from '../src/db/sqlite-migration-lock.ts';

const { database } = loadConfig();
try {
  const applied = await applyMigrations(database);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} catch (error) {
  // A lock held too long is an operator's situation, not a bug: say so without a stack.
  if (!(error instanceof MigrationLockTimeout)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
