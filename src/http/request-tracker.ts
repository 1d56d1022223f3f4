/**
 * Counts HTTP requests in flight so shutdown can wait for them. Event streams (SSE
 * subscriptions) never finish by themselves; they are tracked apart and ended at shutdown
 * so the client reconnects to another instance.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestTracker {
  /** Starts counting the request until its response is finished or its connection closed. */
  track(req: IncomingMessage, res: ServerResponse): void;
  /** Requests in flight, event streams excluded. */
  readonly active: number;
  /** Ends every open event stream. */
  endStreams(): void;
  /** Resolves true once no request is in flight, or false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean>;
}

export function createRequestTracker(): RequestTracker {
  const streams = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  let active = 0;

  return {
    track(req, res) {
      if (req.headers.accept?.includes('text/event-stream')) {
        streams.add(res);
        res.once('close', () => streams.delete(res));
        return;
      }
      active += 1;
      res.once('close', () => {
        active -= 1;
        if (active === 0) for (const wake of waiters) wake();
      });
    },
    get active() {
      return active;
    },
    endStreams() {
      for (const res of streams) res.destroy();
    },
    idle(timeoutMs) {
      if (active === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const wake = (drained: boolean) => {
          clearTimeout(timer);
          waiters.delete(onIdle);
          resolve(drained);
        };
        const onIdle = () => wake(true);
        const timer = setTimeout(() => wake(false), timeoutMs);
        waiters.add(onIdle);
      });
    },
  };
}
