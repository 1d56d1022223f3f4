/**
 * An envelop/Yoga plugin that counts every GraphQL operation Yoga's pipeline runs (HTTP,
 * SSE, and WebSocket queries and mutations) by name, type and result code, times
 * queries and mutations, follows SSE subscriptions (active, deliveries), and at
 * LOG_LEVEL=debug writes one line per operation. On a WebSocket, subscriptions and
 * operations refused before execution are counted by src/ws/operation.ts.
 */
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../observability/logger.ts';
import { resultCodeOf } from './result-code.ts';
import type { Metrics, OperationType } from '../observability/metrics.ts';

export interface GraphQLTelemetryOptions {
  metrics: Metrics;
  logger: Logger;
}

/** The operation a document runs: its name (or null) and type. */
export function operationOf(
  document: DocumentNode,
  operationName: string | null | undefined,
): { name: string | null; type: OperationType } {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return { name: operationName ?? null, type: 'unknown' };
  return { name: operation.name?.value ?? null, type: operation.operation };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** A name as written into a log line: at most 100 characters. */
const logName = (name: string | null) => (name === null ? null : name.slice(0, 100));

export function graphqlTelemetry({ metrics, logger }: GraphQLTelemetryOptions): Plugin {
  const record = (name: string | null, type: OperationType, result: string, startedAt?: number) => {
    const seconds = startedAt === undefined ? undefined : (performance.now() - startedAt) / 1000;
    metrics.graphqlOperation(name, type, result, seconds);
    logger.debug('graphql operation', {
      operation: logName(name),
      type,
      result,
      ...(seconds === undefined ? {} : { durationMs: Math.round(seconds * 1000 * 10) / 10 }),
    });
  };
  // HTTP requests whose operation reached execute or subscribe (counted there), and the
  // operation name each asked for. The others were refused before (parse, validation,
  // limits, a malformed request: Yoga's caches skip the parse and validate hooks on a
  // repeat) and are counted from their result.
  // Keyed by Yoga's request object (a fetch-API Request, not necessarily Node's global class).
  const reached = new WeakSet<object>();
  const requested = new WeakMap<object, { name: string | null; type: OperationType }>();
  const requestOf = (context: unknown): object | undefined => {
    const request = (context as { request?: unknown } | undefined)?.request;
    return typeof request === 'object' && request !== null ? request : undefined;
  };
  const reach = (contextValue: unknown) => {
    const request = requestOf(contextValue);
    if (request) reached.add(request);
  };
  return {
    onParams({ request, params }) {
      requested.set(request, { name: typeof params.operationName === 'string' ? params.operationName : null, type: 'unknown' });
    },
    // Runs on every request, cached or not: the document names the operation a refusal was for.
    onValidate({ context, params }) {
      const request = requestOf(context);
      if (request) requested.set(request, operationOf(params.documentAST, requested.get(request)?.name));
    },
    onResultProcess({ request, result }) {
      if (reached.has(request) || isAsyncIterable(result)) return;
      const { name, type } = requested.get(request) ?? { name: null, type: 'unknown' };
      for (const one of Array.isArray(result) ? result : [result]) {
        record(name, type, resultCodeOf((one as ExecutionResult).errors as readonly GraphQLError[] | undefined));
      }
    },
    onExecute({ args }) {
      reach(args.contextValue);
      const startedAt = performance.now();
      const { name, type } = operationOf(args.document, args.operationName);
      return {
        onExecuteDone({ result }) {
          record(name, type, isAsyncIterable(result) ? 'OK' : resultCodeOf((result as ExecutionResult).errors), startedAt);
        },
      };
    },
    onSubscribe({ args }) {
      reach(args.contextValue);
      const { name } = operationOf(args.document, args.operationName);
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) return record(name, 'subscription', resultCodeOf((result as ExecutionResult).errors));
          record(name, 'subscription', 'OK');
          metrics.subscriptionStarted('sse');
          let ended = false;
          return {
            onNext: () => metrics.delivered('sse'),
            onEnd: () => {
              if (ended) return;
              ended = true;
              metrics.subscriptionEnded('sse');
            },
          };
        },
        onSubscribeError: () => record(name, 'subscription', 'INTERNAL_SERVER_ERROR'),
      };
    },
  };
}
