/**
 * Whether a database still needs the schema engine: reads `_prisma_migrations` with one
 * plain query through the ordinary driver adapter. The WebAssembly schema engine takes
 * about 12 MB that is never returned, so a start on an up-to-date database skips it.
 */
import type { DatabaseTarget } from './database-target.ts';
import { createAdapterFactory, ensureDatabaseLocation } from './database-target.ts';

// One row per attempt: `done` when it finished and was not rolled back. An attempt neither
// finished nor rolled back is a failed migration or one another process is applying now.
const historyQuery = `SELECT migration_name, CASE WHEN finished_at IS NOT NULL AND rolled_back_at IS NULL THEN 1 WHEN rolled_back_at IS NULL THEN 2 ELSE 0 END AS state FROM _prisma_migrations`;

/**
 * True when every migration folder in `names` is recorded as applied and no attempt is
 * failed or in progress; false otherwise, including when the history table is missing or
 * cannot be read (the engine then applies, waits for the other migrator, or reports why).
 */
export async function migrationsUpToDate(target: DatabaseTarget, names: readonly string[]): Promise<boolean> {
  ensureDatabaseLocation(target);
  const adapter = await createAdapterFactory(target).connect();
  try {
    const { rows } = await adapter.queryRaw({ sql: historyQuery, args: [], argTypes: [] });
    const applied = new Set<string>();
    for (const [name, state] of rows) {
      if (Number(state) === 2) return false;
      if (Number(state) === 1) applied.add(String(name));
    }
    return names.every((name) => applied.has(name));
  } catch {
    return false;
  } finally {
    await adapter.dispose();
  }
}
