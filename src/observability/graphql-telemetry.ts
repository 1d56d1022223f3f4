/**
 * An envelop/Yoga plugin that counts every GraphQL operation Yoga's pipeline runs (HTTP,
 * SSE, and WebSocket queries and mutations) by name, type and result code, times
 * queries and mutations, follows SSE subscriptions (active, deliveries), and at
 * LOG_LEVEL=debug writes one line per operation. WebSocket subscriptions bypass Yoga's
 * subscribe and are counted by the WebSocket server (src/ws/operation.ts).
 */
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { performance } from 'node:perf_hooks';
import type { Logger } from './logger.ts';
import { resultCodeOf } from './metric-labels.ts';
import type { Metrics, OperationType } from './metrics.ts';

export interface GraphQLTelemetryOptions {
  metrics: Metrics;
  logger: Logger;
}

/** The operation a document runs: its name (or null) and type. */
export function operationOf(document: DocumentNode, operationName: string | null | undefined): { name: string | null; type: OperationType } {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return { name: operationName ?? null, type: 'unknown' };
  return { name: operation.name?.value ?? null, type: operation.operation };
}

function requestedName(context: unknown): string | null {
  const name = (context as { params?: { operationName?: unknown } } | undefined)?.params?.operationName;
  return typeof name === 'string' ? name : null;
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
  return {
    onParse({ context }) {
      return ({ result }) => {
        if (result instanceof Error) record(requestedName(context), 'unknown', 'GRAPHQL_PARSE_FAILED');
      };
    },
    onValidate({ context, params }) {
      return ({ valid, result }) => {
        if (valid) return;
        const { name, type } = operationOf(params.documentAST, requestedName(context));
        record(name, type, resultCodeOf(result as readonly GraphQLError[]));
      };
    },
    onExecute({ args }) {
      const startedAt = performance.now();
      const { name, type } = operationOf(args.document, args.operationName);
      return {
        onExecuteDone({ result }) {
          record(name, type, isAsyncIterable(result) ? 'OK' : resultCodeOf((result as ExecutionResult).errors), startedAt);
        },
      };
    },
    onSubscribe({ args }) {
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
