/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (the server also does this at start). */
import { loadConfig } from '../src/config.ts';
import { applyMigrations } from '../src/db/migrations.ts';

const { database } = loadConfig();
const applied = await applyMigrations(database);
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
