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
  type GraphQLSchema,
} from 'graphql';
import type { Context } from '../context.ts';
import type { MaskError } from '../graphql/mask-error.ts';
import type { ChatYoga } from '../graphql/yoga.ts';
import { resultCodeOf } from '../graphql/result-code.ts';
import type { Metrics } from '../observability/metrics.ts';
import { sharingKeyOf } from './payload-sharing.ts';
import type { EventExecutor, HeldKey, SharedPayload, SharedPayloads } from './shared-payloads.ts';

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
      /** Lets go of what the stream shares with others, once the stream has ended (idempotent). */
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
  // Events run on the connection's context itself: Yoga's context for a socket operation is its
  // fields plus the initial wsContext and params (yoga.ts), and keeping that copy would keep the
  // subscribe payload (its query text) and a second context for the subscription's life.
  const events = source[Symbol.asyncIterator]();
  return new SharedStream(deps, args.schema, document, args.operationName, args.variableValues, context, group, events);
}

function refusal(deps: OperationDeps, operationName: string | null | undefined, errors: GraphQLError[]): OperationOutcome {
  deps.metrics?.graphqlOperation(operationName, 'unknown', resultCodeOf(errors));
  return { kind: 'errors', errors };
}

/**
 * The stream outcome: all a subscription keeps for its lifetime, in one object (no closures,
 * no subscribe message, no envelop instance). It is also what computes its group's payload
 * for an event when it is the first of the group to need it.
 */
class SharedStream implements EventExecutor {
  private released = false;

  /** What execute needs, field by field (no ExecutionArgs object to keep besides); the operation is the group's. */
  constructor(
    private readonly deps: OperationDeps,
    private readonly schema: GraphQLSchema,
    private readonly document: DocumentNode,
    private readonly operationName: ExecutionArgs['operationName'],
    private readonly variableValues: ExecutionArgs['variableValues'],
    private readonly contextValue: Context,
    private readonly group: HeldKey,
    readonly events: AsyncIterator<unknown>,
  ) {}

  /** On the prototype, not a field each. */
  get kind(): 'stream' {
    return 'stream';
  }

  payloadFor(event: unknown): SharedPayload {
    return this.deps.shared.payloadFor(event as object, this.group.key, this);
  }

  /**
   * graphql-js execute on a subscription document resolves the root field against one event
   * (what subscribe() does per event); Yoga's executor would subscribe instead. Synchronous
   * when every selected resolver is.
   */
  execute(event: unknown): ExecutionResult | Promise<ExecutionResult> {
    const { maskError } = this.deps;
    const mask = (result: ExecutionResult): ExecutionResult =>
      result.errors ? { ...result, errors: result.errors.map((e) => maskError(e)) } : result;
    const { schema, document, operationName, variableValues, contextValue } = this;
    const result = execute({ schema, document, operationName, variableValues, contextValue, rootValue: event });
    return isPromiseLike(result) ? Promise.resolve(result).then(mask) : mask(result);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.deps.shared.releaseKey(this.group);
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
