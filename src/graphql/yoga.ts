/** GraphQL over HTTP (and SSE subscriptions): Yoga with our context, masking and limits. */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { tokenFromHeaders } from '../auth/token-source.ts';
import type { GraphQLExposureConfig, OperationLimitsConfig } from '../config.ts';
import type { Context } from '../context.ts';
import { currentCorrelationId } from '../observability/correlation.ts';
import type { ContextFactory } from './context-factory.ts';
import type { MaskError } from './mask-error.ts';
import { createOperationLimitPlugins } from './operation-limits.ts';

/** Headers that mark a request as sent by a script, not by a plain form or link (CSRF prevention). */
export const CSRF_HEADERS = ['x-graphql-csrf', 'x-graphql-yoga-csrf'];

export interface YogaOptions {
  schema: GraphQLSchema;
  createContext: ContextFactory;
  maskError: MaskError;
  cookieName: string;
  operationLimits: OperationLimitsConfig;
  exposure: GraphQLExposureConfig;
  /** Extra envelop/Yoga plugins (limits, real-time hooks). */
  plugins?: Plugin[];
}

export type ChatYoga = YogaServerInstance<Record<string, never>, Context>;

export function createChatYoga(options: YogaOptions): ChatYoga {
  return createYoga<Record<string, never>, Context>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: options.exposure.graphiql,
    logging: false,
    batching: options.operationLimits.maxBatchOperations > 0 ? { limit: options.operationLimits.maxBatchOperations } : false,
    maxRequestBodySize: options.operationLimits.maxBodyBytes,
    maskedErrors: { maskError: (error) => options.maskError(error) },
    // Operations from a WebSocket arrive with their context already built (wsContext).
    context: (initial) => {
      const prebuilt = (initial as { wsContext?: Context }).wsContext;
      if (prebuilt) return prebuilt;
      return options.createContext(
        tokenFromHeaders((name) => initial.request.headers.get(name), options.cookieName),
        currentCorrelationId(),
      );
    },
    plugins: [
      stampCorrelationHeader(),
      maskEveryError(options.maskError),
      ...(options.exposure.csrfPrevention ? [useCSRFPrevention({ requestHeaders: CSRF_HEADERS })] : []),
      ...createOperationLimitPlugins(options),
      ...(options.plugins ?? []),
    ],
  });
}

/**
 * Validation errors never reach Yoga's maskedErrors; run every error of a result that
 * has not been through the mask (no correlation id yet) through it, so each carries a
 * code and a correlation id.
 */
function maskEveryError(maskError: MaskError): Plugin {
  const maskResult = (result: ExecutionResult): ExecutionResult =>
    result.errors?.some((error) => !error.extensions?.correlationId)
      ? { ...result, errors: result.errors.map((error) => (error.extensions?.correlationId ? error : maskError(error))) }
      : result;
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(maskResult));
      else if (result && typeof result === 'object' && 'errors' in result) setResult(maskResult(result as ExecutionResult));
    },
  };
}

/** Echoes the correlation id as a response header so HTTP clients can quote it too. */
function stampCorrelationHeader(): Plugin {
  return {
    onResponse({ response }) {
      response.headers.set('x-correlation-id', currentCorrelationId());
    },
  };
}
