/**
 * GET /metrics through a real server: the series exist, and their values move when a
 * message is sent, a WebSocket client connects, subscribes and closes, an operation fails,
 * and a dependency is away. Labels stay bounded: no user, session or connection id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateSessionDocument, MessageCountDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { scrapeMetrics, waitForMetric } from '../support/metrics-scrape.ts';
import { closedPort } from '../support/ports.ts';
import { openRawSocket } from '../support/raw-ws.ts';
import { startTestServer, testedProviders, type TestServer } from '../support/server.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { connectWs, subscribe } from '../support/ws-client.ts';

const RECEIVED = 'subscription Watch($sessionId: ID!) { messageReceived(sessionId: $sessionId) { seq content } }';
const NO_SESSION = '00000000-0000-4000-8000-000000000000';

describe.each(testedProviders())('/metrics on %s', (provider) => {
  let server: TestServer;
  let metricsUrl = '';
  beforeAll(async () => {
    server = await startTestServer(provider, { METRICS_MAX_OPERATION_NAMES: '12' });
    metricsUrl = `${server.url}/metrics`;
  });
  afterAll(() => server.stop());

  it('answers in the Prometheus text format with the chat_* series', async () => {
    const scrape = await scrapeMetrics(metricsUrl);
    expect(scrape.status).toBe(200);
    expect(scrape.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'chat_http_requests_total',
      'chat_http_request_duration_seconds',
      'chat_graphql_operations_total',
      'chat_ws_connections_open',
      'chat_ws_closes_total',
      'chat_subscriptions_active',
      'chat_subscription_deliveries_total',
      'chat_slow_consumer_closes_total',
      'chat_redis_publish_failures_total',
      'chat_redis_reconnects_total',
      'chat_rate_limit_fallbacks_total',
      'chat_database_errors_total',
      'chat_service_unavailable_total',
      'chat_message_send_seconds',
      'chat_process_cpu_seconds_total',
    ]) {
      expect(scrape.text).toContain(`# TYPE ${name} `);
    }
  });

  it('moves with a send, a WebSocket connect, subscribe, delivery and close', async () => {
    const alice = uniqueUser('alice');
    const token = await server.token(alice);
    const sessionId = dataOf(await graphql(server.graphqlUrl, CreateSessionDocument, { input: { title: 'metrics' } }, { token }))
      .createSession.id;
    const before = await scrapeMetrics(metricsUrl);

    const ws = connectWs(server.wsUrl, { token });
    const sub = subscribe(ws.client, RECEIVED, { sessionId });
    await waitForPresence(server, sessionId, 1);
    const live = await scrapeMetrics(metricsUrl);
    expect(live.value('chat_ws_connections_open')).toBe(before.value('chat_ws_connections_open') + 1);
    expect(live.value('chat_subscriptions_active', { transport: 'ws' })).toBe(
      before.value('chat_subscriptions_active', { transport: 'ws' }) + 1,
    );
    const watch = { operation: 'Watch', type: 'subscription', result: 'OK' };
    expect(live.value('chat_graphql_operations_total', watch)).toBe(before.value('chat_graphql_operations_total', watch) + 1);

    dataOf(await graphql(server.graphqlUrl, SendMessageDocument, { sessionId, input: { content: 'counted' } }, { token }));
    await sub.waitFor(1);
    const sent = await waitForMetric(
      metricsUrl,
      'chat_subscription_deliveries_total',
      { transport: 'ws' },
      (v) => v > before.value('chat_subscription_deliveries_total', { transport: 'ws' }),
    );
    expect(sent).toBe(before.value('chat_subscription_deliveries_total', { transport: 'ws' }) + 1);
    const after = await scrapeMetrics(metricsUrl);
    const send = { operation: 'SendMessage', type: 'mutation', result: 'OK' };
    expect(after.value('chat_graphql_operations_total', send)).toBe(before.value('chat_graphql_operations_total', send) + 1);
    // Counted once, under one type and result.
    const anySend = { operation: 'SendMessage' };
    expect(after.value('chat_graphql_operations_total', anySend)).toBe(before.value('chat_graphql_operations_total', anySend) + 1);
    expect(after.value('chat_graphql_operation_duration_seconds_count', { operation: 'SendMessage', type: 'mutation' })).toBe(
      before.value('chat_graphql_operation_duration_seconds_count', { operation: 'SendMessage', type: 'mutation' }) + 1,
    );
    for (const stage of ['stored', 'published']) {
      expect(after.value('chat_message_send_seconds_count', { stage })).toBe(
        before.value('chat_message_send_seconds_count', { stage }) + 1,
      );
    }
    expect(after.value('chat_message_send_seconds_sum', { stage: 'published' })).toBeGreaterThan(0);
    const post = { route: '/graphql', method: 'POST', status: '200' };
    expect(after.value('chat_http_requests_total', post)).toBe(before.value('chat_http_requests_total', post) + 1);
    expect(after.value('chat_http_request_duration_seconds_count', post)).toBe(
      before.value('chat_http_request_duration_seconds_count', post) + 1,
    );

    await ws.dispose();
    const closes = { code: '1000', initiator: 'client' };
    await waitForMetric(metricsUrl, 'chat_ws_closes_total', closes, (v) => v === before.value('chat_ws_closes_total', closes) + 1);
    const closed = await waitForMetric(
      metricsUrl,
      'chat_subscriptions_active',
      { transport: 'ws' },
      (v) => v === before.value('chat_subscriptions_active', { transport: 'ws' }),
    );
    expect(closed).toBe(before.value('chat_subscriptions_active', { transport: 'ws' }));
    expect((await scrapeMetrics(metricsUrl)).value('chat_ws_connections_open')).toBe(before.value('chat_ws_connections_open'));
    // No label value names a user or a session.
    const text = (await scrapeMetrics(metricsUrl)).text;
    expect(text).not.toContain(alice);
    expect(text).not.toContain(sessionId);
  });

  it('counts close codes the server sends, by code', async () => {
    const before = await scrapeMetrics(metricsUrl);
    const early = await openRawSocket(server.wsUrl);
    early.send({ id: 'x', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect((await early.closed).code).toBe(4401);
    const labels = { code: '4401', initiator: 'server' };
    await waitForMetric(metricsUrl, 'chat_ws_closes_total', labels, (v) => v === before.value('chat_ws_closes_total', labels) + 1);
    // A code outside the known ranges does not become a label of its own.
    const odd = await openRawSocket(server.wsUrl);
    odd.socket.close(3999);
    await odd.closed;
    const other = { code: 'other', initiator: 'client' };
    await waitForMetric(metricsUrl, 'chat_ws_closes_total', other, (v) => v === before.value('chat_ws_closes_total', other) + 1);
  });

  it('counts results by error code, and caps operation names: anonymous and overflow collapse', async () => {
    const token = await server.token(uniqueUser('bob'));
    const before = await scrapeMetrics(metricsUrl);
    const missing = await graphql(server.graphqlUrl, MessageCountDocument, { sessionId: NO_SESSION }, { token });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await graphql(server.graphqlUrl, '{ __typename }', undefined, { token });
    // Repeats hit Yoga's parse and validation caches: they count all the same.
    for (let i = 0; i < 2; i++) await graphql(server.graphqlUrl, 'query Broken { nope }', undefined, { token });
    for (let i = 0; i < 2; i++) await graphql(server.graphqlUrl, '{ messageCount(', undefined, { token });
    // Over a WebSocket, queries run through the same pipeline and count the same way.
    const ws = await openRawSocket(server.wsUrl);
    ws.send({ type: 'connection_init', payload: { token } });
    await ws.next('connection_ack');
    ws.send({
      id: 'c',
      type: 'subscribe',
      payload: { query: 'query Counted($s: ID!) { messageCount(sessionId: $s) }', variables: { s: NO_SESSION } },
    });
    expect(((await ws.next('next')).payload as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe(
      'NOT_FOUND',
    );
    for (const id of ['v1', 'v2']) {
      ws.send({ id, type: 'subscribe', payload: { query: 'query Refused { nope }', operationName: 'Refused' } });
      await ws.next('error');
    }
    ws.socket.close(1000);
    await ws.closed;
    // METRICS_MAX_OPERATION_NAMES=12: a client inventing names fills the cap, then counts as __other.
    for (let i = 0; i < 15; i++) await graphql(server.graphqlUrl, `query Invented${i} { __typename }`, undefined, { token });
    const after = await scrapeMetrics(metricsUrl);
    const delta = (labels: Record<string, string>) =>
      after.value('chat_graphql_operations_total', labels) - before.value('chat_graphql_operations_total', labels);
    expect(delta({ operation: 'MessageCount', type: 'query', result: 'NOT_FOUND' })).toBe(1);
    expect(delta({ operation: '__anonymous', type: 'query', result: 'OK' })).toBe(1);
    expect(delta({ operation: 'Broken', result: 'GRAPHQL_VALIDATION_FAILED' })).toBe(2);
    expect(delta({ operation: 'Refused', result: 'GRAPHQL_VALIDATION_FAILED' })).toBe(2);
    expect(delta({ operation: '__anonymous', result: 'GRAPHQL_PARSE_FAILED' })).toBe(2);
    expect(delta({ operation: 'Counted', type: 'query', result: 'NOT_FOUND' })).toBe(1);
    expect(delta({ operation: '__other' })).toBeGreaterThan(0);
    const names = new Set([...after.text.matchAll(/chat_graphql_operations_total\{operation="([^"]+)"/g)].map((m) => m[1]));
    expect(names.size).toBeLessThanOrEqual(12 + 2);
  });
});

describe('/metrics when dependencies are away', () => {
  it('counts SERVICE_UNAVAILABLE answers and database errors', async () => {
    const server = await startTestServer('sqlite', { DATABASE_URL: `postgresql://postgres@127.0.0.1:${await closedPort()}/chat` });
    try {
      const response = await graphql(
        server.graphqlUrl,
        MessageCountDocument,
        { sessionId: NO_SESSION },
        { token: await server.token(uniqueUser('u')) },
      );
      expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      const scrape = await scrapeMetrics(`${server.url}/metrics`);
      expect(scrape.value('chat_service_unavailable_total')).toBe(1);
      expect(scrape.value('chat_database_errors_total', { kind: 'unavailable' })).toBe(1);
      expect(scrape.value('chat_graphql_operations_total', { operation: 'MessageCount', result: 'SERVICE_UNAVAILABLE' })).toBe(1);
    } finally {
      await server.stop();
    }
  });

  it('counts failed Redis publishes and rate-limit checks that fell back to memory', async () => {
    const server = await startTestServer('sqlite', { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    try {
      const token = await server.token(uniqueUser('alice'));
      const sessionId = dataOf(await graphql(server.graphqlUrl, CreateSessionDocument, { input: { title: 'no redis' } }, { token }))
        .createSession.id;
      for (let i = 0; i < 2; i++)
        dataOf(await graphql(server.graphqlUrl, SendMessageDocument, { sessionId, input: { content: `m${i}` } }, { token }));
      const url = `${server.url}/metrics`;
      await waitForMetric(url, 'chat_redis_publish_failures_total', {}, (v) => v >= 2);
      const scrape = await scrapeMetrics(url);
      expect(scrape.value('chat_rate_limit_fallbacks_total', { limiter: 'messages' })).toBe(2);
      expect(scrape.value('chat_message_send_seconds_count', { stage: 'stored' })).toBe(2);
      expect(scrape.value('chat_message_send_seconds_count', { stage: 'published' })).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
