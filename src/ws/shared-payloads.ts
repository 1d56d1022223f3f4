/**
 * Executes a subscription event once per group of subscribers that would get the same
 * result (the group key is decided by payload-sharing.ts, the one place for that rule)
 * and serializes it once. Subscribers then write the same bytes: the whole `next` frame
 * is built once per event and operation id (clients mostly number their operations alike),
 * so a delivery allocates nothing.
 * Keyed by event object identity: the session hub hands every local listener the same
 * object, so the cache lives exactly as long as the event does.
 */

import { encodeTextFrame } from './wire-frame.ts';

/** Told once a pending payload has settled (bytes or failure). */
export interface PayloadWaiter {
  payloadSettled(): void;
}

/**
 * A payload whose execution waits on a resolver. Its subscribers wait on this one object
 * and are called, all in one go, when it settles: a fan-out to thousands costs one promise
 * per event, not one per subscriber.
 */
export class PendingPayload {
  bytes: Buffer | null = null;
  failed = false;
  failure: unknown = null;
  /** The bytes as a promise, for a consumer that awaits (rejects with the failure). */
  readonly promise: Promise<Buffer>;
  private waiters: PayloadWaiter[] = [];

  constructor(bytes: Promise<Buffer>) {
    this.promise = bytes;
    bytes.then(
      (value) => {
        this.bytes = value;
        this.settle();
      },
      (error: unknown) => {
        this.failed = true;
        this.failure = error;
        this.settle();
      },
    );
  }

  /** Calls `waiter.payloadSettled()` once settled (at once when it already is). */
  wait(waiter: PayloadWaiter): void {
    if (this.bytes || this.failed) waiter.payloadSettled();
    else this.waiters.push(waiter);
  }

  private settle(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.payloadSettled();
  }
}

/** A payload ready now, or (its execution waits on a resolver) later. */
export type SharedPayload = Buffer | PendingPayload;

/** The payload's bytes as a promise (for consumers that await each event). */
export const payloadBytes = (payload: SharedPayload): Promise<Buffer> =>
  Buffer.isBuffer(payload) ? Promise.resolve(payload) : payload.promise;

/** Runs a subscription document against one event (what a group's payload is computed with). */
export interface EventExecutor {
  execute(event: unknown): unknown;
}

/** A group key in use: one shared string for every subscriber holding it. */
export interface HeldKey {
  readonly key: string;
  users: number;
}

export class SharedPayloads {
  private readonly cache = new WeakMap<object, Map<string, SharedPayload>>();
  /** Group keys in use, so subscribers with one key share one string, not a copy of the query each. */
  private readonly keys = new Map<string, HeldKey>();

  /**
   * The serialized `payload` for this event and group, computing it (`executor.execute(event)`)
   * at most once. Synchronous when the execution is (a selection with no async resolver).
   */
  payloadFor(event: object, groupKey: string, executor: EventExecutor): SharedPayload {
    let byGroup = this.cache.get(event);
    if (!byGroup) {
      byGroup = new Map();
      this.cache.set(event, byGroup);
    }
    const known = byGroup.get(groupKey);
    if (known) return known;
    const payload = serialize(executor, event);
    byGroup.set(groupKey, payload);
    if (!Buffer.isBuffer(payload)) {
      // Later subscribers take the bytes directly once they exist.
      payload.promise.then(
        (bytes) => byGroup.set(groupKey, bytes),
        () => {},
      );
    }
    return payload;
  }

  /** The one shared copy of `key` while someone holds it; give it back with releaseKey once, when the subscription ends. */
  holdKey(key: string): HeldKey {
    let entry = this.keys.get(key);
    if (!entry) {
      entry = { key, users: 0 };
      this.keys.set(key, entry);
    }
    entry.users += 1;
    return entry;
  }

  releaseKey(held: HeldKey): void {
    held.users -= 1;
    if (held.users === 0 && this.keys.get(held.key) === held) this.keys.delete(held.key);
  }
}

function serialize(executor: EventExecutor, event: unknown): SharedPayload {
  let result: unknown;
  try {
    result = executor.execute(event);
  } catch (error) {
    return new PendingPayload(Promise.reject(error));
  }
  if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') return new PendingPayload(Promise.resolve(result).then(toBytes));
  return toBytes(result);
}

const toBytes = (result: unknown): Buffer => Buffer.from(JSON.stringify(result));

/** Frames by payload, then by operation id. */
const frames = new WeakMap<Buffer, Map<string, Buffer>>();

/** The `next` frame carrying `payload` for operation `id`, built once per payload and id. */
export function nextFrame(id: string, payload: Buffer): Buffer {
  let byId = frames.get(payload);
  if (!byId) {
    byId = new Map();
    frames.set(payload, byId);
  }
  let frame = byId.get(id);
  if (!frame) {
    frame = Buffer.concat([Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`), payload, NEXT_SUFFIX]);
    byId.set(id, frame);
  }
  return frame;
}

const NEXT_SUFFIX = Buffer.from('}');

/** Wire frames by payload, then by operation id. */
const wireFrames = new WeakMap<Buffer, Map<string, Buffer>>();

/** nextFrame(id, payload) framed for the wire (see wire-frame.ts), built once per payload and id. */
export function nextWireFrame(id: string, payload: Buffer): Buffer {
  let byId = wireFrames.get(payload);
  if (!byId) {
    byId = new Map();
    wireFrames.set(payload, byId);
  }
  let frame = byId.get(id);
  if (!frame) {
    frame = encodeTextFrame(nextFrame(id, payload));
    byId.set(id, frame);
  }
  return frame;
}
