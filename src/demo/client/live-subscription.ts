/**
 * A subscription that lives as long as the view does, across reconnects: it is started on
 * every connection with variables computed at that moment (for messageReceived: after the
 * last seq the view has, so the server replays exactly what was missed) and stopped when
 * the socket closes, so graphql-ws never replays an outdated position by itself.
 */
import type { CombinedError } from '@urql/core';
import type { Connection } from './connection.ts';

export interface LiveSubscriptionOptions<T> {
  query: string;
  /** Read on every (re)start. */
  variables: () => Record<string, unknown>;
  onData: (data: T) => void;
  onError: (error: CombinedError) => void;
  /** After each stop (the socket closed): e.g. forget who was typing. */
  onStop?: () => void;
}

/** Starts following; returns the function that stops for good. */
export function followLive<T>(connection: Connection, options: LiveSubscriptionOptions<T>): () => void {
  let current: { unsubscribe(): void } | undefined;

  function start(): void {
    current?.unsubscribe();
    current = connection.urql.subscription<T>(options.query, options.variables()).subscribe((result) => {
      if (result.error) options.onError(result.error);
      else if (result.data) options.onData(result.data);
    });
  }

  function stop(): void {
    if (!current) return;
    current.unsubscribe();
    current = undefined;
    options.onStop?.();
  }

  const offConnected = connection.onConnected(start);
  const offClosed = connection.onClosed(stop);
  if (connection.state() === 'online') start();
  return () => {
    offConnected();
    offClosed();
    stop();
  };
}
