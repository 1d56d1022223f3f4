/**
 * Executes a subscription event once per group of subscribers that would get the same
 * result (the group key is decided by payload-sharing.ts, the one place for that rule)
 * and serializes it once. Subscribers then write the same bytes.
 * Keyed by event object identity: the session hub hands every local listener the same
 * object, so the cache lives exactly as long as the event does.
 */
export class SharedPayloads {
  private readonly cache = new WeakMap<object, Map<string, Promise<Buffer>>>();

  /** The serialized `payload` for this event and group, computing it at most once. */
  payloadFor(event: object, groupKey: string, compute: () => Promise<unknown>): Promise<Buffer> {
    let byGroup = this.cache.get(event);
    if (!byGroup) {
      byGroup = new Map();
      this.cache.set(event, byGroup);
    }
    let payload = byGroup.get(groupKey);
    if (!payload) {
      payload = compute().then((result) => Buffer.from(JSON.stringify(result)));
      byGroup.set(groupKey, payload);
    }
    return payload;
  }
}

const NEXT_SUFFIX = Buffer.from('}');

/** Precomputed frame pieces for one subscription id, so each event costs one concat. */
export function nextFrameWriter(id: string): (payload: Buffer) => Buffer {
  const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  return (payload) => Buffer.concat([prefix, payload, NEXT_SUFFIX], prefix.length + payload.length + 1);
}
