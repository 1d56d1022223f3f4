/**
 * Runs one graphql-ws `subscribe` message through the same Yoga/envelop pipeline as
 * HTTP (parse and validation caches, limits, error masking). Queries and mutations
 * yield one result; subscriptions yield their source stream plus a function that turns
 * an event into its serialized payload, shared by every subscriber in the same group.
 */
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Context } from '../context.ts';
import type { MaskError } from '../graphql/mask-error.ts';
import type { ChatYoga } from '../graphql/yoga.ts';
import { resultCodeOf } from '../graphql/result-code.ts';
import type { Metrics } from '../observability/metrics.ts';
import { sharingKeyOf } from './payload-sharing.ts';
import type { SharedPayload, SharedPayloads } from './shared-payloads.ts';

export interface SubscribePayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

export type OperationOutcome =
  | { kind: 'errors'; errors: readonly GraphQLError[] }
  | { kind: 'result'; result: ExecutionResult }
  | {
      kind: 'stream';
      events: AsyncIterator<unknown>;
      /** The event's serialized payload, shared with the subscribers of the same group (synchronous when it can be). */
      payloadFor(event: unknown): SharedPayload;
      /** Lets go of what the stream shares with others; call it once the stream has ended. */
      release(): void;
    };

export interface OperationDeps {
  yoga: ChatYoga;
  maskError: MaskError;
  shared: SharedPayloads;
  /** Counts subscriptions and refused operations (Yoga's pipeline counts executed ones); default: not counted. */
  metrics?: Metrics;
}

export async function runOperation(deps: OperationDeps, context: Context, payload: SubscribePayload): Promise<OperationOutcome> {
  const enveloped = deps.yoga.getEnveloped({ wsContext: context, params: payload } as never);
  const refuse = (errors: GraphQLError[]) => refusal(deps, payload.operationName, errors);
  let document: DocumentNode;
  try {
    document = enveloped.parse(payload.query);
  } catch (error) {
    return refuse([deps.maskError(error)]);
  }
  const validationErrors = enveloped.validate(enveloped.schema, document);
  if (validationErrors.length > 0) return refuse(validationErrors.map((e: GraphQLError) => deps.maskError(e)));

  const operation = getOperationAST(document, payload.operationName ?? undefined);
  if (!operation) return refuse([deps.maskError(new GraphQLError('Could not determine which operation to run'))]);
  const args: ExecutionArgs = {
    schema: enveloped.schema,
    document,
    operationName: payload.operationName ?? undefined,
    variableValues: payload.variables ?? undefined,
    contextValue: await enveloped.contextFactory(),
  };
  if (operation.operation !== 'subscription') {
    return { kind: 'result', result: (await enveloped.execute(args)) as ExecutionResult };
  }

  const source = await createSourceEventStream(args);
  deps.metrics?.graphqlOperation(operation.name?.value, 'subscription', isAsyncIterable(source) ? 'OK' : resultCodeOf(source.errors));
  if (!isAsyncIterable(source)) {
    return { kind: 'result', result: { errors: (source.errors ?? []).map((e) => deps.maskError(e)) } };
  }
  const group = deps.shared.holdKey(sharingKeyOf({ ...payload, document, operation, principal: context.principal }));
  return sharedStream(deps, args, group, source[Symbol.asyncIterator]());
}

function refusal(deps: OperationDeps, operationName: string | null | undefined, errors: GraphQLError[]): OperationOutcome {
  deps.metrics?.graphqlOperation(operationName, 'unknown', resultCodeOf(errors));
  return { kind: 'errors', errors };
}

/**
 * The stream outcome, built apart from runOperation so what a subscription keeps for its
 * lifetime is only this: no subscribe message (its query text), no envelop instance.
 */
function sharedStream(
  deps: OperationDeps,
  args: ExecutionArgs,
  group: { key: string; release: () => void },
  events: AsyncIterator<unknown>,
): OperationOutcome {
  const { key } = group;
  // One function per subscription, not a closure per delivery.
  const execute = (event: unknown) => executeEvent(deps, args, event);
  return {
    kind: 'stream',
    events,
    payloadFor: (event) => deps.shared.payloadFor(event as object, key, execute),
    release: group.release,
  };
}

/**
 * graphql-js execute on a subscription document resolves the root field against one event
 * (what subscribe() does per event); Yoga's executor would subscribe instead. Synchronous
 * when every selected resolver is.
 */
function executeEvent(deps: OperationDeps, args: ExecutionArgs, event: unknown): ExecutionResult | Promise<ExecutionResult> {
  const mask = (result: ExecutionResult): ExecutionResult =>
    result.errors ? { ...result, errors: result.errors.map((e) => deps.maskError(e)) } : result;
  const result = execute({ ...args, rootValue: event });
  return isPromiseLike(result) ? Promise.resolve(result).then(mask) : mask(result);
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
