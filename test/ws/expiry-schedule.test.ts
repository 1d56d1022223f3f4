/**
 * Token expiries share one timer (src/ws/expiry-schedule.ts): every entry is called once its
 * due time has passed, in due order; a rescheduled entry moves, a cancelled one is never called,
 * and nothing stays scheduled.
 */
import { describe, expect, it } from 'vitest';
import { type ExpiryEntry, ExpirySchedule } from '../../src/ws/expiry-schedule.ts';

function entry(name: string, calls: string[], last?: () => void): ExpiryEntry {
  return {
    heapIndex: -1,
    dueAt: 0,
    expiryDue() {
      calls.push(name);
      if (name === 'last') last?.();
    },
  };
}

describe('the expiry schedule', () => {
  it('calls each entry once, in due order, after moves and cancellations', async () => {
    const schedule = new ExpirySchedule();
    const calls: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const now = Date.now();
    // Scheduled out of order, with equal times, a move later and earlier, and cancellations.
    const offsets = [40, 5, 25, 25, 60, 15, 35, 10, 50, 30, 20, 45];
    const entries = offsets.map((offset, i) => ({ offset, name: `e${i}`, e: entry(`e${i}`, calls) }));
    for (const { offset, e } of entries) schedule.schedule(e, now + offset);
    const moved = entries[1]!; // 5 → 55
    schedule.schedule(moved.e, now + 55);
    moved.offset = 55;
    const earlier = entries[4]!; // 60 → 1
    schedule.schedule(earlier.e, now + 1);
    earlier.offset = 1;
    const cancelled = [entries[2]!, entries[8]!];
    for (const { e } of cancelled) schedule.cancel(e);
    schedule.cancel(cancelled[0]!.e); // twice: nothing
    schedule.schedule(entry('last', calls, done), now + 70);
    expect(schedule.size).toBe(entries.length - cancelled.length + 1);

    await finished;
    const expected = entries
      .filter((x) => !cancelled.includes(x))
      .sort((a, b) => a.offset - b.offset)
      .map((x) => x.name);
    expect(calls.slice(0, -1)).toEqual(expected);
    expect(calls.at(-1)).toBe('last');
    expect(schedule.size).toBe(0);
    for (const { e } of entries) expect(e.heapIndex).toBe(-1);
  });

  it('calls an entry whose due time has already passed on the next turn', async () => {
    const schedule = new ExpirySchedule();
    const called = new Promise<string>((resolve) =>
      schedule.schedule({ heapIndex: -1, dueAt: 0, expiryDue: () => resolve('due') }, Date.now() - 1000),
    );
    expect(await called).toBe('due');
    expect(schedule.size).toBe(0);
  });
});
