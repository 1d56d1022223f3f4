/**
 * Group commit on SQLite (src/db/sqlite-commit-batch.ts), on a real file through Prisma's
 * better-sqlite3 adapter: the writes of one turn share one COMMIT and are acknowledged after
 * it; a write that throws is rolled back alone; a COMMIT that fails rejects every write of its
 * batch and stores none; Prisma's transactions and its statements outside one wait for the
 * batch instead of running inside it. A second connection on the file sees only what committed.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exposeRawDriver, type RawDriver } from '../../src/db/raw-driver.ts';

type SqliteDriver = Extract<RawDriver, { provider: 'sqlite' }>;

describe('the SQLite commit batch', () => {
  let folder: string;
  let adapter: SqlDriverAdapter;
  let driver: SqliteDriver;
  let observer: InstanceType<typeof Database>;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'commit-batch-'));
    const file = join(folder, 'batch.db');
    const setup = new Database(file);
    setup.pragma('journal_mode = WAL');
    setup.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE item (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
      INSERT INTO parent (id) VALUES (1);`);
    setup.close();
    const exposed = exposeRawDriver(new PrismaBetterSqlite3({ url: `file:${file}` }));
    adapter = await exposed.factory.connect();
    driver = (await exposed.driver(async () => {})) as SqliteDriver;
    driver.db.prepare('PRAGMA foreign_keys = ON').run();
    observer = new Database(file, { readonly: true });
  });
  afterEach(async () => {
    observer.close();
    await adapter.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  const insertItem =
    (id: number, parent = 1) =>
    () => {
      driver.db.prepare('INSERT INTO item (id, parent) VALUES (?, ?)').run(id, parent);
      return id;
    };
  const committedItems = () => (observer.prepare('SELECT id FROM item ORDER BY id').all() as { id: number }[]).map((row) => row.id);

  it('commits the writes of one turn together, and acknowledges each only after the COMMIT', async () => {
    const seenAtAck: number[][] = [];
    const writes = [1, 2, 3].map((id) =>
      driver.commitBatch.run(insertItem(id)).then((value) => {
        seenAtAck.push(committedItems());
        return value;
      }),
    );
    // The first write waited for the adapter's transaction lock; the others joined its batch.
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(committedItems()).toEqual([]);
    expect(await Promise.all(writes)).toEqual([1, 2, 3]);
    expect(seenAtAck).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(driver.db.inTransaction).toBe(false);
    expect(await driver.commitBatch.run(insertItem(4))).toBe(4);
    expect(committedItems()).toEqual([1, 2, 3, 4]);
  });

  it('rolls back a write that throws alone; the rest of its batch is stored', async () => {
    const failing = () => {
      insertItem(20)();
      throw new Error('refused after writing');
    };
    const results = await Promise.allSettled([
      driver.commitBatch.run(insertItem(10)),
      driver.commitBatch.run(failing),
      driver.commitBatch.run(insertItem(30)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused after writing' });
    expect(committedItems()).toEqual([10, 30]);
  });

  it('rejects every write of a batch whose COMMIT fails, stores none of them, and keeps working', async () => {
    // A deferred foreign key is checked at COMMIT: the item without a parent fails the whole batch.
    const results = await Promise.allSettled([
      driver.commitBatch.run(insertItem(1)),
      driver.commitBatch.run(insertItem(2, 99)),
      driver.commitBatch.run(insertItem(3)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(committedItems()).toEqual([]);
    expect(driver.db.inTransaction).toBe(false);
    expect(await driver.commitBatch.run(insertItem(4))).toBe(4);
    expect(committedItems()).toEqual([4]);
  });

  it("makes Prisma's statements outside a transaction wait for the batch's COMMIT", async () => {
    const order: string[] = [];
    const write = driver.commitBatch.run(insertItem(1)).then(() => order.push('send acknowledged'));
    for (let i = 0; i < 100 && driver.commitBatch.committed() === undefined; i++) await Promise.resolve();
    expect(driver.commitBatch.committed(), 'the batch is open').toBeDefined();
    // Run inside the batch, this autocommit INSERT would be answered before the batch's COMMIT.
    const prismaWrite = adapter
      .executeRaw({ sql: 'INSERT INTO item (id, parent) VALUES (2, 1)', args: [], argTypes: [] })
      .then(() => order.push(`prisma write answered, committed: ${committedItems().includes(2)}`));
    await Promise.all([write, prismaWrite]);
    expect(order).toEqual(['send acknowledged', 'prisma write answered, committed: true']);
    expect(committedItems()).toEqual([1, 2]);
  });

  it("lets Prisma's interactive transaction begin only after the batch has committed", async () => {
    const write = driver.commitBatch.run(insertItem(1));
    // Issued while the batch is opening or open: BEGIN inside it would fail.
    const transaction = adapter.startTransaction();
    await write;
    const tx = await transaction;
    expect(committedItems()).toEqual([1]);
    await tx.executeRaw({ sql: 'INSERT INTO item (id, parent) VALUES (2, 1)', args: [], argTypes: [] });
    // A write issued now waits for Prisma's transaction and does not run inside it.
    const during = driver.commitBatch.run(insertItem(3));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(committedItems()).toEqual([1]);
    await tx.executeRaw({ sql: 'ROLLBACK', args: [], argTypes: [] });
    await tx.rollback();
    expect(await during).toBe(3);
    expect(committedItems()).toEqual([1, 3]);
  });
});
