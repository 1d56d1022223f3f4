/**
 * Token expiries of every graphql-ws connection on one timer instead of a Timeout each (a
 * Timeout with its callback is ≈ 250 B per idle connection): a binary heap ordered by due
 * time whose entries are the connections' own records, so a refresh moves its entry and a
 * closed connection leaves the heap at once (nothing is kept until its token would have expired).
 */

/** setTimeout caps at ~24.8 days; a later due time is re-armed when that fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the schedule holds: the due time and place it maintains, and what to call then. */
export interface ExpiryEntry {
  /** Maintained by the schedule; start at -1 (not scheduled). */
  heapIndex: number;
  dueAt: number;
  /** The due time passed (called once per schedule()). */
  expiryDue(): void;
}

export class ExpirySchedule {
  private readonly heap: ExpiryEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly fire = (): void => this.runDue();

  /** Calls `entry.expiryDue()` once `at` (ms epoch) has passed; replaces the entry's earlier due time. */
  schedule(entry: ExpiryEntry, at: number): void {
    if (entry.heapIndex >= 0) this.removeAt(entry.heapIndex);
    entry.dueAt = at;
    entry.heapIndex = this.heap.length;
    this.heap.push(entry);
    this.siftUp(entry.heapIndex);
    this.arm();
  }

  /** Forgets the entry (nothing when it is not scheduled). */
  cancel(entry: ExpiryEntry): void {
    if (entry.heapIndex < 0) return;
    this.removeAt(entry.heapIndex);
    this.arm();
  }

  /** Entries scheduled (for leak checks). */
  get size(): number {
    return this.heap.length;
  }

  private runDue(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    while (this.heap.length > 0 && this.heap[0]!.dueAt <= now) {
      const due = this.heap[0]!;
      this.removeAt(0);
      try {
        due.expiryDue();
      } catch {
        // An entry's own failure (contained by its connection) must not keep the others waiting.
      }
    }
    this.arm();
  }

  /** One timer, for the earliest due time. */
  private arm(): void {
    const head = this.heap[0];
    if (!head) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer && this.timerAt <= head.dueAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = head.dueAt;
    this.timer = setTimeout(this.fire, Math.min(Math.max(0, head.dueAt - Date.now()), MAX_TIMER_MS));
    this.timer.unref();
  }

  private removeAt(index: number): void {
    const { heap } = this;
    const removed = heap[index]!;
    removed.heapIndex = -1;
    const last = heap.pop()!;
    if (index === heap.length) return;
    heap[index] = last;
    last.heapIndex = index;
    this.siftUp(index);
    this.siftDown(last.heapIndex);
  }

  private siftUp(index: number): void {
    const { heap } = this;
    const entry = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.dueAt <= entry.dueAt) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.heapIndex = index;
  }

  private siftDown(index: number): void {
    const { heap } = this;
    const entry = heap[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.dueAt < heap[left]!.dueAt ? right : left;
      if (heap[child]!.dueAt >= entry.dueAt) break;
      heap[index] = heap[child]!;
      heap[index]!.heapIndex = index;
      index = child;
    }
    heap[index] = entry;
    entry.heapIndex = index;
  }
}
