/**
 * The application's Prometheus series (prom-client), all named `chat_*` with bounded
 * labels: route, method, status, operation name (capped), result code, close code,
 * transport, limiter — never a user, session or connection id. Each app has its own
 * registry (several apps may share a process in tests); process metrics
 * (`chat_process_*`, `chat_nodejs_*`) are collected once per process.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { closeCodeLabel, methodLabel, operationNameLabels } from './metric-labels.ts';

export type Transport = 'ws' | 'sse';
export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';
/** Why a slow subscriber was cut off: its socket's send buffer, or its event queue (SUBSCRIBER_MAX_QUEUE). */
export type SlowConsumerReason = 'send_buffer' | 'event_queue';
/** `stored`: the message is committed and handed to the publisher; `published`: pub/sub accepted it. */
export type SendStage = 'stored' | 'published';

/** What the code records; every method is cheap and never throws. */
export interface Metrics {
  httpRequest(route: string, method: string | undefined, status: number, seconds: number): void;
  graphqlOperation(name: string | null | undefined, type: OperationType, result: string, seconds?: number): void;
  wsOpened(): void;
  /** A connection ended; `code` is the close code sent (server) or received (client). */
  wsClosed(code: number, initiator: 'server' | 'client'): void;
  subscriptionStarted(transport: Transport): void;
  subscriptionEnded(transport: Transport): void;
  /** Counts `count` (default 1) subscription events sent. */
  delivered(transport: Transport, count?: number): void;
  slowConsumerClosed(reason: SlowConsumerReason): void;
  redisPublishFailed(): void;
  redisReconnected(connection: 'subscriber' | 'commands'): void;
  rateLimitFellBack(limiter: string): void;
  databaseError(kind: 'unavailable' | 'other'): void;
  serviceUnavailable(): void;
  sendLatency(stage: SendStage, seconds: number): void;
}

export interface MetricsRegistry extends Metrics {
  /** The exposition text (process metrics first) and its content type. */
  render(): Promise<{ contentType: string; text: string }>;
}

/** Records nothing (components built without metrics, unit tests). */
export const noMetrics: Metrics = {
  httpRequest: () => {},
  graphqlOperation: () => {},
  wsOpened: () => {},
  wsClosed: () => {},
  subscriptionStarted: () => {},
  subscriptionEnded: () => {},
  delivered: () => {},
  slowConsumerClosed: () => {},
  redisPublishFailed: () => {},
  redisReconnected: () => {},
  rateLimitFellBack: () => {},
  databaseError: () => {},
  serviceUnavailable: () => {},
  sendLatency: () => {},
};

export interface MetricsOptions {
  /** Distinct operation names with a series of their own (METRICS_MAX_OPERATION_NAMES, default 50). */
  maxOperationNames: number;
}

let processRegistry: Registry | undefined;

/** Process metrics, collected once per process however many apps it runs. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'chat_' });
  }
  return processRegistry;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: MetricsOptions): MetricsRegistry {
  const registry = new Registry();
  const registers = [registry];
  const operationName = operationNameLabels(options.maxOperationNames);
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers });

  const httpRequests = counter('chat_http_requests_total', 'HTTP requests answered, by route, method and status.', [
    'route',
    'method',
    'status',
  ]);
  const httpDuration = histogram('chat_http_request_duration_seconds', 'HTTP request duration until the response ended.', [
    'route',
    'method',
    'status',
  ]);
  const operations = counter(
    'chat_graphql_operations_total',
    'GraphQL operations (HTTP, SSE, WebSocket) by operation name, type and result code.',
    ['operation', 'type', 'result'],
  );
  const operationDuration = histogram('chat_graphql_operation_duration_seconds', 'Execution time of GraphQL queries and mutations.', [
    'operation',
    'type',
  ]);
  const wsOpen = gauge('chat_ws_connections_open', 'WebSocket connections open now.');
  const wsOpened = counter('chat_ws_connections_total', 'WebSocket connections accepted.');
  const wsCloses = counter('chat_ws_closes_total', 'WebSocket connections ended, by close code and who closed.', ['code', 'initiator']);
  const subscriptions = gauge('chat_subscriptions_active', 'Subscriptions streaming now, by transport.', ['transport']);
  const deliveries = counter('chat_subscription_deliveries_total', 'Subscription events sent to clients, by transport.', ['transport']);
  const slowConsumers = counter('chat_slow_consumer_closes_total', 'Subscribers cut off for not keeping up, by reason.', ['reason']);
  const publishFailures = counter(
    'chat_redis_publish_failures_total',
    'Events the pub/sub transport refused to publish (subscribers catch up from the database).',
  );
  const reconnects = counter('chat_redis_reconnects_total', 'Redis connections that came back after losing the server.', ['connection']);
  const fallbacks = counter('chat_rate_limit_fallbacks_total', 'Rate-limit checks counted in memory because Redis did not answer.', [
    'limiter',
  ]);
  const databaseErrors = counter(
    'chat_database_errors_total',
    'Database failures seen while answering (unavailable: unreachable or busy).',
    ['kind'],
  );
  const unavailable = counter('chat_service_unavailable_total', 'SERVICE_UNAVAILABLE errors answered to clients.');
  const sendLatency = histogram(
    'chat_message_send_seconds',
    'Time from the start of a send request until the message is stored, and until it is published.',
    ['stage'],
  );

  // Series that exist from the start, at 0, so a dashboard shows them before the first event.
  for (const transport of ['ws', 'sse'] as const) {
    subscriptions.set({ transport }, 0);
    deliveries.inc({ transport }, 0);
  }
  for (const reason of ['send_buffer', 'event_queue'] as const) slowConsumers.inc({ reason }, 0);

  return {
    httpRequest(route, method, status, seconds) {
      const labels = { route, method: methodLabel(method), status: String(status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
    },
    graphqlOperation(name, type, result, seconds) {
      const operation = operationName(name);
      operations.inc({ operation, type, result });
      if (seconds !== undefined) operationDuration.observe({ operation, type }, seconds);
    },
    wsOpened() {
      wsOpen.inc();
      wsOpened.inc();
    },
    wsClosed(code, initiator) {
      wsOpen.dec();
      wsCloses.inc({ code: closeCodeLabel(code), initiator });
    },
    subscriptionStarted: (transport) => subscriptions.inc({ transport }),
    subscriptionEnded: (transport) => subscriptions.dec({ transport }),
    delivered: (transport, count = 1) => deliveries.inc({ transport }, count),
    slowConsumerClosed: (reason) => slowConsumers.inc({ reason }),
    redisPublishFailed: () => publishFailures.inc(),
    redisReconnected: (connection) => reconnects.inc({ connection }),
    rateLimitFellBack: (limiter) => fallbacks.inc({ limiter }),
    databaseError: (kind) => databaseErrors.inc({ kind }),
    serviceUnavailable: () => unavailable.inc(),
    sendLatency: (stage, seconds) => sendLatency.observe({ stage }, seconds),
    async render() {
      const text = `${await processMetrics().metrics()}\n${await registry.metrics()}`;
      return { contentType: registry.contentType, text };
    },
  };
}
