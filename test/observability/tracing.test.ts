import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { tracingConfigFrom } from '../../src/observability/tracing.ts';
import { uniqueUser } from '../support/chat-fixture.ts';
import type { ChildServer } from '../support/child-server.ts';
import { startProbedServer as startModuleProbedServer } from '../support/module-probe.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { freshDatabase, testedProviders } from '../support/server.ts';
import { mintToken } from '../support/tokens.ts';
import { connectWs } from '../support/ws-client.ts';

const withRedis = await redisTestsEnabled();

/** A probed child server (src/main.ts) on a fresh database, dropped when it stops. */
async function startProbedServer(provider: 'sqlite' | 'postgresql', env: Record<string, string>) {
  const database = await freshDatabase(provider);
  const probed = await startModuleProbedServer(database, env);
  return {
    server: probed.server,
    /** Stops the server and returns the modules it had loaded. */
    async stop(): Promise<string[]> {
      const modules = await probed.stop();
      await database.drop();
      return modules;
    },
  };
}

async function createOwnSession(server: ChildServer): Promise<{ token: string; sessionId: string }> {
  const owner = uniqueUser('tracer');
  const token = await mintToken(owner);
  const created = dataOf(await graphql(server.graphqlUrl, CreateSessionDocument, { input: { participantIds: [owner] } }, { token }));
  return { token, sessionId: created.createSession.id };
}

async function sendOneMessage(server: ChildServer): Promise<string> {
  const { token, sessionId } = await createOwnSession(server);
  const sent = await graphql(server.graphqlUrl, SendMessageDocument, { sessionId, input: { content: 'traced hello' } }, { token });
  return dataOf(sent).sendMessage.id;
}

/** `span` and its ancestors, nearest first. */
function ancestry(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  const chain = [span];
  for (let parent = span.parentSpanId; parent; ) {
    const next = spans.find((candidate) => candidate.spanId === parent && candidate.traceId === span.traceId);
    if (!next) break;
    chain.push(next);
    parent = next.parentSpanId;
  }
  return chain;
}

// `@opentelemetry/api` itself is a no-op facade without an SDK; prom-client (CPU metrics) and Prisma's
// client probe for it whenever it is installed, so it is not what "tracing off loads nothing" is about.
const usesOpenTelemetry = (module: string) =>
  /@opentelemetry[\\/](?!api[\\/])|@envelop[\\/]opentelemetry|@prisma[\\/]instrumentation/.test(module);

describe.each(testedProviders())('OpenTelemetry tracing (%s)', (provider) => {
  let receiver: OtlpReceiver;
  let traced: Awaited<ReturnType<typeof startProbedServer>>;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    traced = await startProbedServer(provider, {
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      ...(withRedis ? { REDIS_URL: redisUrl, REDIS_CHANNEL_PREFIX: uniquePrefix(), RATE_LIMIT_REDIS_PREFIX: uniquePrefix() } : {}),
    });
  });
  afterAll(async () => {
    const modules = await traced?.stop();
    await receiver?.close();
    // The probe does see OpenTelemetry when it is on (so the test below that it is absent means something).
    if (modules) expect(modules.some(usesOpenTelemetry)).toBe(true);
  });

  it('follows a sendMessage from the HTTP request through GraphQL to the database and the publish', async () => {
    await sendOneMessage(traced.server);
    const publishName = withRedis ? 'redis publish' : 'memory publish';
    const { http, operation, database, publish } = await receiver.waitFor((spans) => {
      const operation = spans.find((span) => span.name === 'mutation.SendMessage');
      const http = operation && ancestry(operation, spans).find((span) => span.name === 'POST /graphql');
      if (!operation || !http) return undefined;
      const inTrace = spans.filter((span) => span.traceId === http.traceId);
      const database = inTrace.find((span) => span.name.startsWith('prisma:') && ancestry(span, spans).includes(operation));
      const publish = inTrace.find((span) => span.name === publishName && ancestry(span, spans).includes(operation));
      return database && publish ? { http, operation, database, publish } : undefined;
    });
    expect(http.serviceName).toBe('chat-graphql-backend');
    expect(http.parentSpanId).toBeUndefined();
    expect(http.attributes['http.response.status_code']).toBe(200);
    expect(operation.attributes['graphql.execute.operationName']).toBe('SendMessage');
    expect(database.traceId).toBe(http.traceId);
    expect(publish.attributes['db.system']).toBe(withRedis ? 'redis' : 'memory');
    // The database query itself, not just Prisma's client-side work.
    expect(receiver.spans.some((span) => span.traceId === http.traceId && /db_query/.test(span.name))).toBe(true);
    // Message text never reaches a span.
    expect(JSON.stringify(receiver.spans)).not.toContain('traced hello');
  });

  it("puts the request's trace id on its log lines", async () => {
    const requestId = `trace-log-${Math.random().toString(36).slice(2, 10)}`;
    const response = await fetch(traced.server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query: 'query TraceLog { __typename }' }),
    });
    expect(response.status).toBe(200);
    const line = JSON.parse(await traced.server.waitForLog(new RegExp(`"correlationId":"${requestId}"`))) as Record<string, unknown>;
    const operation = await receiver.waitFor((spans) => spans.find((span) => span.name === 'query.TraceLog'));
    expect(line).toMatchObject({ message: 'http request', path: '/graphql', status: 200 });
    expect(line.traceId).toBe(operation.traceId);
  });

  it('leaves health probes untraced, database ping included', async () => {
    expect((await fetch(`${traced.server.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${traced.server.url}/healthz`)).status).toBe(200);
    // Spans are exported in the order they end: once this later request's span is in, a probe's would be too.
    const marker = await graphql(traced.server.graphqlUrl, 'query ProbeMarker { __typename }', {});
    expect(marker.errors).toBeUndefined();
    const markerSpan = await receiver.waitFor((spans) => spans.find((span) => span.name === 'query.ProbeMarker'));
    await receiver.waitFor((spans) => spans.find((span) => span.spanId === markerSpan.parentSpanId));
    expect(receiver.spans.filter((span) => /^\/(healthz|readyz)$/.test(String(span.attributes['url.path'])))).toEqual([]);
    expect(
      receiver.spans.filter(
        (span) => span.name === 'prisma:client:operation' && span.attributes.method === 'queryRaw' && span.parentSpanId,
      ),
    ).toEqual([]);
  });

  it('traces a sendMessage over WebSocket as its own trace, with its database spans', async () => {
    const { token, sessionId } = await createOwnSession(traced.server);
    const ws = connectWs(traced.server.wsUrl, { authorization: `Bearer ${token}` });
    try {
      const results = ws.client.iterate({
        query: 'mutation($sessionId: ID!, $input: SendMessageInput!) { sendMessage(sessionId: $sessionId, input: $input) { id } }',
        variables: { sessionId, input: { content: 'over the socket' } },
      });
      const first = await results.next();
      expect(first.value?.errors).toBeUndefined();
    } finally {
      await ws.dispose();
    }
    const operation = await receiver.waitFor((spans) =>
      spans.find(
        (span) =>
          span.name === 'mutation.anonymous' &&
          spans.some((child) => child.name === 'prisma:client:db_query' && ancestry(child, spans).includes(span)),
      ),
    );
    expect(operation.parentSpanId).toBeUndefined();
  });
});

describe('tracing off (no OTEL_* variables)', () => {
  it('never loads an OpenTelemetry module, even while serving a send', async () => {
    const plain = await startProbedServer('sqlite', {});
    await sendOneMessage(plain.server);
    const modules = await plain.stop();
    expect(modules.some((module) => module.includes('@prisma/client'))).toBe(true);
    expect(modules.filter(usesOpenTelemetry)).toEqual([]);
  });

  it('reads the standard variables: off by default, otlp or console on request, bad values refused', () => {
    expect(tracingConfigFrom({})).toBeUndefined();
    expect(tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      exporter: 'otlp',
      serviceName: 'chat-graphql-backend',
    });
    expect(tracingConfigFrom({ OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'chat-eu' })).toEqual({
      exporter: 'console',
      serviceName: 'chat-eu',
    });
    expect(tracingConfigFrom({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBeUndefined();
    expect(tracingConfigFrom({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined();
    expect(() => tracingConfigFrom({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/otlp, console or none/);
    expect(() => tracingConfigFrom({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/http\/json/);
  });
});
