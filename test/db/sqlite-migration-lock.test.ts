/**
 * The SQLite migration lock holds a transaction around everything the schema engine does; a
 * table rebuild (how Prisma alters SQLite tables) must still not cascade into other tables.
 */
import { describe, expect, it } from 'vitest';
import { lockForMigrations } from '../../src/db/sqlite-migration-lock.ts';
import { sqliteFile } from '../support/sqlite-processes.ts';

/** The shape of the RedefineTables step Prisma writes for SQLite. */
const REBUILD_PARENT = `
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Parent" ("id" TEXT NOT NULL PRIMARY KEY, "title" TEXT NOT NULL DEFAULT '');
INSERT INTO "new_Parent" ("id") SELECT "id" FROM "Parent";
DROP TABLE "Parent";
ALTER TABLE "new_Parent" RENAME TO "Parent";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`;

describe('the SQLite migration lock', () => {
  it('lets a table rebuild inside it keep the rows that reference the rebuilt table (no ON DELETE CASCADE)', async () => {
    const file = await sqliteFile('empty');
    try {
      const setup = await file.connect();
      await setup.executeScript(`
        CREATE TABLE "Parent" ("id" TEXT NOT NULL PRIMARY KEY);
        CREATE TABLE "Child" ("id" TEXT NOT NULL PRIMARY KEY, "parentId" TEXT NOT NULL REFERENCES "Parent" ("id") ON DELETE CASCADE);
        INSERT INTO "Parent" VALUES ('p');
        INSERT INTO "Child" VALUES ('c1', 'p'), ('c2', 'p');`);
      await setup.dispose();

      const lock = await lockForMigrations(await file.connect(), file.path, 1000);
      try {
        await lock.adapter.executeScript('PRAGMA main.locking_mode=EXCLUSIVE');
        await lock.adapter.executeScript(REBUILD_PARENT);
        await lock.commit();
      } finally {
        await lock.release();
        await lock.adapter.dispose();
      }

      expect(await file.rows('SELECT id, parentId FROM Child ORDER BY id')).toEqual([
        { id: 'c1', parentId: 'p' },
        { id: 'c2', parentId: 'p' },
      ]);
      expect(await file.rows('SELECT id, title FROM Parent')).toEqual([{ id: 'p', title: '' }]);
      // The engine's exclusive locking mode was not applied: the file is shared, in WAL mode.
      expect(await file.rows('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    } finally {
      file.remove();
    }
  });
});
