/**
 * Optional OpenTelemetry tracing, off unless the standard OTEL_* variables ask for it.
 * This file imports no OpenTelemetry code: the SDK (tracing-sdk.ts) is loaded with a
 * dynamic import by startTracing(), so a server without tracing neither loads nor pays
 * for it. Until then every hook here is a pass-through.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { ConfigError } from '../config.ts';
import type { SpanAttributes, TracingRuntime } from './tracing-sdk.ts';

/** Where finished spans go. */
export type TraceExporterKind = 'otlp' | 'console';

export interface TracingConfig {
  exporter: TraceExporterKind;
  /** OTEL_SERVICE_NAME; default `chat-graphql-backend`. */
  serviceName: string;
}

export const DEFAULT_SERVICE_NAME = 'chat-graphql-backend';

type Env = Record<string, string | undefined>;

/**
 * Reads the standard variables: tracing is on when OTEL_TRACES_EXPORTER is `otlp` or
 * `console`, or (exporter unset) when OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set. OTEL_SDK_DISABLED=true and
 * OTEL_TRACES_EXPORTER=none turn it off. Returns undefined when off.
 */
export function tracingConfigFrom(env: Env): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  let exporter: TraceExporterKind | undefined;
  if (exporters.length === 0) {
    if (env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()) exporter = 'otlp';
  } else if (exporters.includes('none')) {
    exporter = undefined;
  } else {
    const unknown = exporters.find((name) => name !== 'otlp' && name !== 'console');
    if (unknown) throw new ConfigError(`OTEL_TRACES_EXPORTER must be otlp, console or none (got "${unknown}")`);
    if (exporters.length > 1) throw new ConfigError('OTEL_TRACES_EXPORTER takes one exporter here: otlp, console or none');
    exporter = exporters[0] as TraceExporterKind;
  }
  if (!exporter) return undefined;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (exporter === 'otlp' && protocol && protocol !== 'http/json') {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/json (got "${protocol}"); OTLP/HTTP collectors accept it on port 4318`);
  }
  return { exporter, serviceName: env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME };
}

let runtime: TracingRuntime | undefined;

/**
 * Starts tracing when the environment asks for it (see tracingConfigFrom). Call it before
 * buildApp so the GraphQL plugins and the database instrumentation are in place. Returns
 * whether tracing is on. Throws ConfigError for a variable it cannot honour.
 */
export async function startTracing(env: Env): Promise<boolean> {
  if (runtime) return true;
  const config = tracingConfigFrom(env);
  if (!config) return false;
  const sdk = await import('./tracing-sdk.ts');
  runtime = sdk.startTracingRuntime(config);
  return true;
}

/**
 * Sends the spans still buffered and stops tracing, waiting at most `timeoutMs` (default
 * 2000) for an unreachable collector; resolves at once when tracing is off. Never throws.
 */
export async function stopTracing(timeoutMs = 2000): Promise<void> {
  const stopping = runtime;
  runtime = undefined;
  if (!stopping) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([stopping.shutdown().catch(() => {}), deadline]);
  clearTimeout(timer);
}

/** Whether startTracing() turned tracing on in this process. */
export function tracingEnabled(): boolean {
  return runtime !== undefined;
}

/** The Yoga/envelop plugins that trace GraphQL operations (parse, validate, execute); none when off. */
export function tracingPlugins(): Plugin[] {
  return runtime ? runtime.graphqlPlugins() : [];
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Runs each HTTP request inside a server span (continuing a caller's `traceparent`), so
 * the GraphQL, database and Redis spans it causes share its trace. Returns `handler`
 * itself when tracing is off.
 */
export function traceHttpRequests(handler: RequestListener): RequestListener {
  const active = runtime;
  return active ? (req, res) => active.traceHttpRequest(req, res, handler) : handler;
}

/** Runs `work` in a child span of the current one; just runs it when tracing is off. */
export function inSpan<T>(name: string, attributes: SpanAttributes, work: () => Promise<T>): Promise<T> {
  return runtime ? runtime.inSpan(name, attributes, work) : work();
}

/** The current trace id (32 hex digits), for log lines; undefined when off or outside a span. */
export function currentTraceId(): string | undefined {
  return runtime?.currentTraceId();
}
