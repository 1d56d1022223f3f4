/**
 * The OpenTelemetry side of tracing.ts, loaded only when tracing is on: a Node tracer
 * provider (W3C trace context, AsyncLocalStorage context), an OTLP/HTTP JSON or console
 * exporter behind a batch processor (OTEL_BSP_* and OTEL_EXPORTER_OTLP_* are read by the
 * SDK itself), Prisma's instrumentation for database spans, and the envelop plugin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResourcesSync, envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { PrismaInstrumentation, registerInstrumentations } from '@prisma/instrumentation';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TracingConfig } from './tracing.ts';

export type SpanAttributes = Attributes;

export interface TracingRuntime {
  graphqlPlugins(): Plugin[];
  traceHttpRequest(req: IncomingMessage, res: ServerResponse, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  inSpan<T>(name: string, attributes: SpanAttributes, work: () => Promise<T>): Promise<T>;
  currentTraceId(): string | undefined;
  shutdown(): Promise<void>;
}

const TRACER_NAME = 'chat-graphql-backend';

/** Probes and scrapes, polled every few seconds: no spans for them or their database ping. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function startTracingRuntime(config: TracingConfig): TracingRuntime {
  // Our default name first; OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES override it.
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': config.serviceName }))
    .merge(detectResourcesSync({ detectors: [envDetectorSync] }));
  const exporter: SpanExporter = config.exporter === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter();
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  // Prisma Client reports its spans (operation, serialize, db_query) through a global hook this installs.
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations: [new PrismaInstrumentation()] });
  const tracer = provider.getTracer(TRACER_NAME);
  // Variables, documents and results may hold message text: kept out of spans.
  const envelop = useOpenTelemetry(
    { resolvers: false, defaultResolvers: false, variables: false, document: false, result: false },
    provider,
  );

  return {
    graphqlPlugins: () => [envelop as Plugin, traceParseAndValidate(tracer)],
    traceHttpRequest: (req, res, handler) => traceHttpRequest(tracer, req, res, handler),
    inSpan: (name, attributes, work) =>
      tracer.startActiveSpan(name, { attributes, kind: SpanKind.CLIENT }, async (span) => {
        try {
          return await work();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          throw error;
        } finally {
          span.end();
        }
      }),
    currentTraceId: () => trace.getActiveSpan()?.spanContext().traceId,
    shutdown: async () => {
      unregister();
      await provider.shutdown();
    },
  };
}

function traceHttpRequest(
  tracer: Tracer,
  req: IncomingMessage,
  res: ServerResponse,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  // The query string may carry tokens: only the path is recorded.
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (UNTRACED_PATHS.has(path)) {
    context.with(suppressTracing(ROOT_CONTEXT), () => handler(req, res));
    return;
  }
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const method = req.method ?? 'GET';
  const span = tracer.startSpan(
    path === '/graphql' ? `${method} /graphql` : method,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path.slice(0, 256) } },
    parent,
  );
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  res.once('finish', end);
  res.once('close', end);
  context.with(trace.setSpan(parent, span), () => handler(req, res));
}

/** Spans for parsing and validating, beside the envelop plugin's execution span. */
function traceParseAndValidate(tracer: Tracer): Plugin {
  return {
    onParse() {
      const span = tracer.startSpan('graphql.parse');
      return ({ result }) => {
        if (result instanceof Error) span.setStatus({ code: SpanStatusCode.ERROR, message: result.message });
        span.end();
      };
    },
    onValidate() {
      const span = tracer.startSpan('graphql.validate');
      return ({ valid, result }) => {
        if (!valid) span.setStatus({ code: SpanStatusCode.ERROR, message: (result as readonly GraphQLError[])[0]?.message ?? 'invalid' });
        span.end();
      };
    },
  };
}
