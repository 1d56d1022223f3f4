/**
 * The page's GraphQL client: urql, with queries and mutations over HTTP and subscriptions
 * over one graphql-ws socket. The socket is opened at once and kept open (reconnecting with
 * a short backoff), and its state is shown to the user.
 *
 * Browsers keep an open WebSocket through a lost network for a long time (and DevTools'
 * offline mode never cuts it at all), so the page does not trust the socket alone: when the
 * browser reports it went offline, or a ping gets no pong within PONG_TIMEOUT_MS, the
 * socket is dropped, and no new one is tried before the browser is online again. Views
 * start their subscriptions on every `connected` and stop them on every `closed`, so each
 * reconnect resumes from what the view has (see live-messages.ts), not from where it began.
 */
import { Client, type CombinedError, fetchExchange, type OperationResult, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws/client';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';

const KEEP_ALIVE_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;
/** WebSocket close code for a token the server no longer accepts. */
const FORBIDDEN = 4403;

export interface Connection {
  urql: Client;
  /** Runs a query over HTTP; rejects with the server's message (an unusable token also signs out). */
  query<T>(document: string, variables: Record<string, unknown>): Promise<T>;
  /** Runs a mutation over HTTP, like query. */
  mutate<T>(document: string, variables: Record<string, unknown>): Promise<T>;
  state(): ConnectionState;
  /** Called with every state change; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void;
  /** Called on every (re)connection, after the server acknowledged it. */
  onConnected(listener: () => void): () => void;
  /** Called whenever the socket closed (the server dropped it, the network went, or the page cut it). */
  onClosed(listener: () => void): () => void;
  close(): void;
}

export interface ConnectionOptions {
  token: () => string;
  /** The server refused the token (expired, or signed with another key). */
  onUnauthenticated: () => void;
}

export function createConnection(options: ConnectionOptions): Connection {
  let state: ConnectionState = navigator.onLine ? 'connecting' : 'offline';
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const connectedListeners = new Set<() => void>();
  const closedListeners = new Set<() => void>();
  let pongTimer: ReturnType<typeof setTimeout> | undefined;

  function setState(next: ConnectionState): void {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  }

  const ws: WsClient = createWsClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: () => ({ authorization: `Bearer ${options.token()}` }),
    lazy: false,
    keepAlive: KEEP_ALIVE_MS,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await onlineAgain();
      // Backoff: 0.3 s, 0.6 s, 1.2 s, … at most 5 s, with jitter so tabs do not reconnect in step.
      const delay = Math.min(300 * 2 ** retries, 5000) * (0.75 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
    },
    onNonLazyError: () => undefined,
    on: {
      connecting: (isRetry) => setState(navigator.onLine ? (isRetry ? 'reconnecting' : 'connecting') : 'offline'),
      connected: () => {
        setState('online');
        for (const listener of connectedListeners) listener();
      },
      closed: (event) => {
        clearTimeout(pongTimer);
        setState(navigator.onLine ? 'reconnecting' : 'offline');
        for (const listener of closedListeners) listener();
        if ((event as CloseEvent | undefined)?.code === FORBIDDEN) options.onUnauthenticated();
      },
      ping: (received) => {
        if (!received) pongTimer = setTimeout(() => ws.terminate(), PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });

  const wentOffline = (): void => {
    setState('offline');
    ws.terminate();
  };
  window.addEventListener('offline', wentOffline);

  const urql = new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: () => ({ headers: { authorization: `Bearer ${options.token()}` } }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });

  const listen =
    <T>(set: Set<T>) =>
    (listener: T) => {
      set.add(listener);
      return () => void set.delete(listener);
    };

  function dataOf<T>(result: OperationResult<T>): T {
    if (result.error) {
      if (errorCode(result.error) === 'UNAUTHENTICATED') options.onUnauthenticated();
      throw new Error(describeError(result.error));
    }
    if (!result.data) throw new Error('The server sent no data');
    return result.data;
  }

  return {
    urql,
    query: async (document, variables) => dataOf(await urql.query(document, variables).toPromise()),
    mutate: async (document, variables) => dataOf(await urql.mutation(document, variables).toPromise()),
    state: () => state,
    onState: listen(stateListeners),
    onConnected: listen(connectedListeners),
    onClosed: listen(closedListeners),
    close() {
      window.removeEventListener('offline', wentOffline);
      clearTimeout(pongTimer);
      stateListeners.clear();
      connectedListeners.clear();
      closedListeners.clear();
      void ws.dispose();
    },
  };
}

/** Resolves at once when the browser is online, else at its next `online` event. */
function onlineAgain(): Promise<void> {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener('online', () => resolve(), { once: true }));
}

/** The error code the server put in `extensions.code`, if any. */
export function errorCode(error: CombinedError): string | undefined {
  const code = error.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** What to tell the user: the server's message, or that the network is down. */
export function describeError(error: CombinedError): string {
  if (error.networkError) return navigator.onLine ? `Cannot reach the server (${error.networkError.message})` : 'You are offline';
  return error.graphQLErrors.map((graphQLError) => graphQLError.message).join('; ') || error.message;
}
