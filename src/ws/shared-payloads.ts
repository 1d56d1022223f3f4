/**
 * Executes a subscription event once per group of subscribers that would get the same
 * result (the group key is decided by payload-sharing.ts, the one place for that rule)
 * and serializes it once. Subscribers then write the same bytes: the whole `next` frame
 * is built once per event and operation id (clients mostly number their operations alike),
 * so a delivery allocates nothing.
 * Keyed by event object identity: the session hub hands every local listener the same
 * object, so the cache lives exactly as long as the event does.
 */

/** A payload ready now, or (its execution waits on a resolver) later. */
export type SharedPayload = Buffer | Promise<Buffer>;

export class SharedPayloads {
  private readonly cache = new WeakMap<object, Map<string, SharedPayload>>();
  /** Group keys in use, so subscribers with one key share one string, not a copy of the query each. */
  private readonly keys = new Map<string, { key: string; users: number }>();

  /**
   * The serialized `payload` for this event and group, computing it at most once. Synchronous
   * when `compute` is (a selection with no async resolver), so a fan-out waits on nothing.
   */
  payloadFor(event: object, groupKey: string, compute: () => unknown): SharedPayload {
    let byGroup = this.cache.get(event);
    if (!byGroup) {
      byGroup = new Map();
      this.cache.set(event, byGroup);
    }
    const known = byGroup.get(groupKey);
    if (known) return known;
    const payload = serialize(compute);
    byGroup.set(groupKey, payload);
    if (payload instanceof Promise) {
      // Later subscribers take the bytes directly once they exist.
      payload.then(
        (bytes) => byGroup.set(groupKey, bytes),
        () => {},
      );
    }
    return payload;
  }

  /** The one shared copy of `key` while someone holds it; release it when the subscription ends. */
  holdKey(key: string): { key: string; release: () => void } {
    let entry = this.keys.get(key);
    if (!entry) {
      entry = { key, users: 0 };
      this.keys.set(key, entry);
    }
    entry.users += 1;
    const held = entry;
    let released = false;
    return {
      key: held.key,
      release: () => {
        if (released) return;
        released = true;
        held.users -= 1;
        if (held.users === 0 && this.keys.get(held.key) === held) this.keys.delete(held.key);
      },
    };
  }
}

function serialize(compute: () => unknown): SharedPayload {
  let result: unknown;
  try {
    result = compute();
  } catch (error) {
    return Promise.reject(error);
  }
  if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') return Promise.resolve(result).then(toBytes);
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
