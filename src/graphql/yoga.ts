/** GraphQL over HTTP (and SSE subscriptions): Yoga with our context, masking and limits. */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { tokenFromHeaders } from '../auth/token-source.ts';
import type { GraphQLExposureConfig, OperationLimitsConfig } from '../config.ts';
import type { Context } from '../context.ts';
import { renderOfflineGraphiQL, serveGraphiQLAssets } from '../http/graphiql.ts';
import { containGraphQLFailures } from '../http/graphql-containment.ts';
import { boundRequestBody } from '../http/graphql-request-body.ts';
import { currentCorrelationId } from '../observability/correlation.ts';
import { describeEmptyRefusals } from './refusal-bodies.ts';
import type { Logger } from '../observability/logger.ts';
import { tracingPlugins } from '../observability/tracing.ts';
import { compiledQueries } from './compiled-queries.ts';
import type { ContextFactory } from './context-factory.ts';
import { graphiqlOptions } from './graphiql-options.ts';
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
  /** Receives unexpected failures of the HTTP request handling, with their stack. */
  logger: Logger;
  /**
   * Mints the token GraphiQL prefills in its Authorization header on each page load
   * (see graphiqlDevTokenMinter). Default: none, the header holds a placeholder.
   */
  graphiqlDevToken?: () => Promise<string>;
  /** Extra envelop/Yoga plugins (limits, real-time hooks). */
  plugins?: Plugin[];
}

/**
 * What a request brings besides itself: nothing from a socket; `internalRequest` when the
 * server builds it (the REST shim), so the body limit of the HTTP edge is not applied twice.
 */
export interface ChatServerContext {
  internalRequest?: true;
}

export type ChatYoga = YogaServerInstance<ChatServerContext, Context>;

export function createChatYoga(options: YogaOptions): ChatYoga {
  return createYoga<ChatServerContext, Context>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Served from this server (no CDN), so it works offline; off when exposure.graphiql is.
    graphiql: options.exposure.graphiql ? () => graphiqlOptions(options.graphiqlDevToken) : false,
    renderGraphiQL: renderOfflineGraphiQL,
    logging: false,
    batching: options.operationLimits.maxBatchOperations > 0 ? { limit: options.operationLimits.maxBatchOperations } : false,
    // Bounded by boundRequestBody instead, which also refuses invalid UTF-8.
    maxRequestBodySize: false,
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
      ...tracingPlugins(),
      containGraphQLFailures(options.logger),
      boundRequestBody({ maxBytes: options.operationLimits.maxBodyBytes }),
      stampCorrelationHeader(),
      describeEmptyRefusals(),
      maskEveryError(options.maskError),
      ...(options.exposure.graphiql ? [serveGraphiQLAssets()] : []),
      ...(options.exposure.csrfPrevention ? [useCSRFPrevention({ requestHeaders: CSRF_HEADERS })] : []),
      ...createOperationLimitPlugins(options),
      ...(options.plugins ?? []),
      // Last: it replaces the execute function the other plugins' hooks wrap.
      compiledQueries(),
    ],
  });
}

/**
 * Validation errors never reach Yoga's maskedErrors; run every error of a result that
 * has not been through the mask (no correlation id yet) through it, so each carries a
 * code and a correlation id.
 */
export function maskUnmaskedErrors(maskError: MaskError): (result: ExecutionResult) => ExecutionResult {
  return (result) =>
    result.errors?.some((error) => !error.extensions?.correlationId)
      ? { ...result, errors: result.errors.map((error) => (error.extensions?.correlationId ? error : maskError(error))) }
      : result;
}

function maskEveryError(maskError: MaskError): Plugin {
  const maskResult = maskUnmaskedErrors(maskError);
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
