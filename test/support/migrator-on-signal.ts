/**
 * A migration runner for start-up races: loads everything (the schema engine included),
 * prints "ready", and applies migrations to DATABASE_URL only on SIGUSR2, so several such
 * processes can be released at the same instant. Prints the applied names as JSON.
 */
import { loadConfig } from '../../src/config.ts';
import { applyMigrations } from '../../src/db/migrations.ts';
import { loadSchemaEngine } from '../../src/db/schema-engine.ts';

const { database } = loadConfig();
await loadSchemaEngine();
// A signal listener alone does not keep the process alive while it waits.
const waiting = setInterval(() => {}, 60_000);
const released = new Promise((resolve) => process.once('SIGUSR2', resolve));
console.log('ready');
await released;
clearInterval(waiting);
console.log(JSON.stringify({ applied: await applyMigrations(database) }));
