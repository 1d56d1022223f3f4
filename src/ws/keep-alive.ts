/** Keep-alive for WebSockets: a ping every interval; a socket that missed the last pong is dropped. */
import type { WebSocket } from 'ws';

export interface KeepAlive {
  /** Starts watching a socket (its pongs mark it alive). */
  watch(socket: WebSocket): void;
  stop(): void;
}

/** Pings `sockets()` every `intervalMs` (0 turns keep-alive off). */
export function startKeepAlive(intervalMs: number, sockets: () => Iterable<WebSocket>): KeepAlive {
  const alive = new WeakSet<WebSocket>();
  const tick = () => {
    for (const socket of sockets()) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      // ping() only throws while CONNECTING, which an accepted socket never is; a closing one ignores it.
      socket.ping();
    }
  };
  const timer = intervalMs > 0 ? setInterval(tick, intervalMs) : null;
  timer?.unref();
  // One listener for every socket (the emitter is `this`), not a closure per socket.
  function onPong(this: WebSocket): void {
    alive.add(this);
  }
  return {
    watch(socket) {
      alive.add(socket);
      socket.on('pong', onPong);
    },
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
