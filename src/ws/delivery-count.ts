/**
 * The WebSocket deliveries counter, added to once per tick: an event fanned out to thousands
 * of subscribers costs one metric increment, not one per socket. Nothing is lost: the sum
 * is flushed in a microtask, before any I/O the deliveries could be observed through.
 */
import type { Metrics } from '../observability/metrics.ts';

export interface DeliveryCount {
  /** One more `next` frame written. */
  count(): void;
}

export function batchedDeliveryCount(metrics: Metrics | undefined): DeliveryCount {
  if (!metrics) return { count: () => {} };
  let pending = 0;
  const flush = () => {
    const total = pending;
    pending = 0;
    metrics.delivered('ws', total);
  };
  return {
    count() {
      if (pending === 0) queueMicrotask(flush);
      pending += 1;
    },
  };
}
