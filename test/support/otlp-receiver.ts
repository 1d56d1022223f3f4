/**
 * A tiny OTLP/HTTP JSON receiver on a free port: collects the spans a traced server
 * exports (POST /v1/traces) and lets a test wait for the ones it expects.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** Flattened attribute values (string, int or bool). */
  attributes: Record<string, string | number | boolean | undefined>;
  serviceName?: string;
}

export interface OtlpReceiver {
  /** Base URL to use as OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  readonly spans: ReceivedSpan[];
  /** Resolves with every span received once `ready(spans)` holds; rejects after `timeoutMs`. */
  waitFor<T>(ready: (spans: ReceivedSpan[]) => T | undefined, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: OtlpAttribute[] }[] }[];
  }[];
}

const attributeValue = (value: OtlpValue) => value.stringValue ?? (value.intValue === undefined ? value.boolValue : Number(value.intValue));
const flatten = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(attributes.map((attribute) => [attribute.key, attributeValue(attribute.value)]));

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const listeners = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const serviceName = flatten(resourceSpans.resource?.attributes)['service.name'];
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                ...span,
                parentSpanId: span.parentSpanId || undefined,
                attributes: flatten(span.attributes),
                serviceName: String(serviceName),
              });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
      listeners.forEach((listener) => listener());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    waitFor: (ready, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = ready(spans);
          if (found === undefined) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(
          () => (cleanup(), reject(new Error(`spans not received in ${timeoutMs} ms; got: ${spans.map((span) => span.name).join(', ')}`))),
          timeoutMs,
        );
        const cleanup = () => (clearTimeout(timer), listeners.delete(check));
        listeners.add(check);
        check();
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
