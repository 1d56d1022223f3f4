/**
 * Group commit on SQLite: the writes a repository runs itself (the send's claim and insert)
 * during one turn of the event loop share one transaction, committed at the end of the turn
 * (setImmediate: after this turn's I/O callbacks). A COMMIT was about half of a send's CPU;
 * with 50 clients sending, one COMMIT now serves every send that arrived in the same turn.
 *
 * Each write runs synchronously in a savepoint of its own: one that throws (a taken
 * clientMessageId) is rolled back alone and rejects at once, the others are untouched.
 * A write's promise resolves only after the COMMIT, so nothing is acknowledged before it is
 * stored; if the COMMIT fails, every write of the batch rejects and none is stored.
 *
 * The batch's transaction is opened through the adapter's own `startTransaction`, so it
 * holds the adapter's transaction lock: Prisma's interactive transactions wait for the
 * batch to commit and batches wait for them. Prisma's statements outside a transaction run
 * on the same connection without that lock; raw-driver.ts makes them wait for `committed()`,
 * so none of them runs inside a batch (its answer would precede the batch's COMMIT).
 * The repositories' own reads do not wait: on the one connection they may see a write of
 * the current turn before its COMMIT.
 */
import type { SqliteConnection } from './raw-driver.ts';

export interface CommitBatch {
  /**
   * Runs `work` (synchronous statements on the connection) in this turn's transaction, in a
   * savepoint of its own; resolves with its result once the transaction has committed.
   * Throws what `work` threw (after rolling back its savepoint) or the COMMIT's failure.
   */
  run<T>(work: () => T): Promise<T>;
  /** Resolves when the open batch has committed or failed; undefined when none is open. */
  committed(): Promise<void> | undefined;
}

/** The adapter's transaction: BEGIN already run, its lock held until `release()`. */
export type StartTransaction = () => Promise<{ release(): Promise<void> }>;

interface Batch {
  release: () => Promise<void>;
  /**
   * Why the batch failed: set when a write left the connection outside the transaction
   * (SQLite rolled it all back) or when the COMMIT failed; NO_FAILURE once it committed.
   */
  failure: unknown;
  finished: boolean;
  /** Resolves once the batch has committed or failed (`failure` then says which). */
  done: Promise<void>;
  markDone: () => void;
}

const NO_FAILURE = Symbol('no failure');

export function createCommitBatch(db: SqliteConnection, startTransaction: StartTransaction): CommitBatch {
  const savepoint = db.prepare('SAVEPOINT batched_write');
  const releaseSavepoint = db.prepare('RELEASE batched_write');
  const rollbackToSavepoint = db.prepare('ROLLBACK TO batched_write');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');

  let open: Batch | null = null;
  let opening: Promise<Batch> | null = null;

  function openBatch(): Promise<Batch> {
    opening ??= startTransaction().then(
      (transaction) => {
        let markDone = () => {};
        const done = new Promise<void>((resolve) => {
          markDone = resolve;
        });
        const batch: Batch = { release: () => transaction.release(), failure: NO_FAILURE, finished: false, done, markDone };
        open = batch;
        opening = null;
        setImmediate(() => finish(batch));
        return batch;
      },
      (error: unknown) => {
        opening = null;
        throw error;
      },
    );
    return opening;
  }

  function finish(batch: Batch): void {
    if (open === batch) open = null;
    if (batch.finished) return;
    batch.finished = true;
    if (batch.failure === NO_FAILURE) {
      try {
        commit.run();
      } catch (error) {
        batch.failure = error;
      }
    }
    if (batch.failure !== NO_FAILURE && db.inTransaction) {
      try {
        rollback.run();
      } catch {
        // Nothing more can be undone; the writes are told the failure.
      }
    }
    batch.release().catch(() => {});
    batch.markDone();
  }

  function runIn<T>(batch: Batch, work: () => T): Promise<T> {
    savepoint.run();
    let result: T;
    try {
      result = work();
    } catch (error) {
      if (db.inTransaction) {
        rollbackToSavepoint.run();
        releaseSavepoint.run();
      } else {
        // SQLite ended the whole transaction (a full disk, an I/O error): the batch is lost.
        batch.failure = error;
        finish(batch);
      }
      throw error;
    }
    releaseSavepoint.run();
    return batch.done.then(() => {
      if (batch.failure !== NO_FAILURE) throw batch.failure;
      return result;
    });
  }

  return {
    async run(work) {
      let batch = open ?? (await openBatch());
      // A batch that failed while this write waited for it is done: the write opens the next one.
      while (batch.finished) batch = await openBatch();
      return runIn(batch, work);
    },
    committed: () => open?.done,
  };
}
