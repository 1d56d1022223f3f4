/**
 * The real-time series under stress: a WebSocket client that stops reading is cut off
 * and counted as a slow consumer, Redis connections that come back are counted, and SSE
 * subscriptions count as active while they stream and their deliveries.
 */
import { MessageType } from 'graphql-ws';
import { createClient } from 'graphql-sse';
import { describe, expect, it } from 'vitest';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { captureLogStream } from '../support/log-stream.ts';
import { scrapeMetrics, waitForMetric } from '../support/metrics-scrape.ts';
import { startPrivateRedis } from '../support/redis.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { openStalledSocket } from '../support/stalled-ws.ts';
import { waitForPresence } from '../support/subscription-live.ts';

async function createSession(server: TestServer, token: string): Promise<string> {
  return dataOf(await graphql(server.graphqlUrl, CreateSessionDocument, { input: { title: 'realtime metrics' } }, { token })).createSession
    .id;
}

async function send(server: TestServer, token: string, sessionId: string, content: string): Promise<void> {
  dataOf(await graphql(server.graphqlUrl, SendMessageDocument, { sessionId, input: { content } }, { token }));
}

describe('real-time metrics', () => {
  it('counts a client cut off for not reading as a slow consumer closed with 1013', async () => {
    const logs = captureLogStream('info');
    const env = { WS_MAX_BUFFERED_BYTES: '65536', WS_KEEPALIVE_MS: '0', MAX_MESSAGE_LENGTH: '200000', MESSAGES_PER_MINUTE: '0' };
    const server = await startTestServer('sqlite', env, { logger: logs.logger });
    try {
      const user = uniqueUser('hoarder');
      const token = await server.token(user);
      const sessionId = await createSession(server, token);
      for (let i = 0; i < 4; i++) await send(server, token, sessionId, 'x'.repeat(150_000));
      const stalled = await openStalledSocket(server.wsUrl);
      stalled.send({ type: MessageType.ConnectionInit, payload: { token } });
      // The client never reads its ack: the server's log line says when it is acknowledged.
      await logs.waitForLine((line) => line.message === 'ws connection open' && line.userId === user);
      const query = 'query($s: ID!) { messages(sessionId: $s, limit: 4) { content } }';
      for (let i = 0; i < 60; i++)
        stalled.send({ id: `q${i}`, type: MessageType.Subscribe, payload: { query, variables: { s: sessionId } } });
      const url = `${server.url}/metrics`;
      await waitForMetric(url, 'chat_slow_consumer_closes_total', { reason: 'send_buffer' }, (v) => v === 1, 15_000);
      const scrape = await scrapeMetrics(url);
      expect(scrape.value('chat_ws_closes_total', { code: '1013', initiator: 'server' })).toBe(1);
      expect(scrape.value('chat_ws_connections_open')).toBe(0);
      expect(scrape.value('chat_slow_consumer_closes_total', { reason: 'event_queue' })).toBe(0);
      stalled.socket.destroy();
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('counts Redis connections that come back after Redis restarts', async () => {
    const redis = await startPrivateRedis();
    const server = await startTestServer('sqlite', { REDIS_URL: redis.url });
    try {
      const url = `${server.url}/metrics`;
      expect((await scrapeMetrics(url)).value('chat_redis_reconnects_total')).toBe(0);
      await redis.stop();
      await redis.start();
      await waitForMetric(url, 'chat_redis_reconnects_total', { connection: 'subscriber' }, (v) => v === 1, 15_000);
      await waitForMetric(url, 'chat_redis_reconnects_total', { connection: 'commands' }, (v) => v === 1, 15_000);
    } finally {
      await server.stop();
      await redis.stop();
    }
  }, 40_000);

  it('counts an SSE subscription as active while it streams, and its deliveries', async () => {
    const server = await startTestServer('sqlite');
    try {
      const alice = uniqueUser('alice');
      const token = await server.token(alice);
      const sessionId = await createSession(server, token);
      const url = `${server.url}/metrics`;
      const client = createClient({ url: server.graphqlUrl, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
      const received: string[] = [];
      let onEvent: () => void = () => {};
      const firstEvent = new Promise<void>((resolve) => (onEvent = resolve));
      const stop = client.subscribe<{ messageReceived: { content: string } }>(
        {
          query: 'subscription Feed($s: ID!) { messageReceived(sessionId: $s) { content } }',
          variables: { s: sessionId },
          operationName: 'Feed',
        },
        { next: (result) => (received.push(result.data?.messageReceived.content ?? ''), onEvent()), error: () => {}, complete: () => {} },
      );
      await waitForPresence(server, sessionId, 1);
      const live = await scrapeMetrics(url);
      expect(live.value('chat_subscriptions_active', { transport: 'sse' })).toBe(1);
      expect(live.value('chat_graphql_operations_total', { operation: 'Feed', type: 'subscription', result: 'OK' })).toBe(1);
      await send(server, token, sessionId, 'over sse');
      await firstEvent;
      expect(received).toEqual(['over sse']);
      expect((await scrapeMetrics(url)).value('chat_subscription_deliveries_total', { transport: 'sse' })).toBe(1);
      stop();
      client.dispose();
      await waitForMetric(url, 'chat_subscriptions_active', { transport: 'sse' }, (v) => v === 0);
    } finally {
      await server.stop();
    }
  });
});
