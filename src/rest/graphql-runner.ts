/**
 * Runs one GraphQL document through the app's Yoga instance, in-process, as if a
 * GraphQL client had sent it: same schema, context, auth, plugins and error masking.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { currentCorrelationId } from '../observability/correlation.ts';

/** The part of Yoga the REST layer needs: the app's ChatYoga, or a stub in unit tests. */
export interface GraphQLEndpoint {
  fetch(url: string, init: RequestInit, serverContext: InternalRequestContext): Response | Promise<Response>;
}

/**
 * Marks a request the server builds itself (not read from a socket): the HTTP edge has
 * already bounded and decoded the client's body, so GraphQL does not bound it again.
 */
export interface InternalRequestContext {
  internalRequest: true;
}

export type GraphQLOutcome =
  | { ok: true; data: Record<string, unknown> }
  /** The first error of the result, as masked by Yoga (code and correlation id included). */
  | { ok: false; code: string | undefined; message: string; correlationId: string | undefined; retryAfterSeconds?: number };

/** Headers of the REST request that GraphQL sees too: credentials and client identity. */
const FORWARDED_HEADERS = ['authorization', 'cookie', 'user-agent', 'x-forwarded-for'] as const;

/** Executes `document` with `variables` under the caller's credentials. */
export async function runGraphQL(
  yoga: GraphQLEndpoint,
  document: string,
  variables: Record<string, unknown>,
  incoming: IncomingHttpHeaders,
): Promise<GraphQLOutcome> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json',
    // The REST request already runs in a correlation scope; keep the same id in GraphQL's errors.
    'x-request-id': currentCorrelationId(),
  };
  for (const name of FORWARDED_HEADERS) {
    const value = incoming[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const response = await yoga.fetch(
    'http://internal/graphql',
    {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: document, variables }),
    },
    { internalRequest: true },
  );
  const result = (await response.json()) as { data?: Record<string, unknown> | null; errors?: ResultError[] };
  const [error] = result.errors ?? [];
  if (error) {
    const code = error.extensions?.code;
    const correlationId = error.extensions?.correlationId;
    const retryAfter = error.extensions?.retryAfterSeconds;
    return {
      ok: false,
      code: typeof code === 'string' ? code : undefined,
      message: error.message,
      correlationId: typeof correlationId === 'string' ? correlationId : undefined,
      retryAfterSeconds: typeof retryAfter === 'number' ? retryAfter : undefined,
    };
  }
  if (!result.data) throw new Error(`GraphQL answered ${response.status} without data or errors`);
  return { ok: true, data: result.data };
}

interface ResultError {
  message: string;
  extensions?: { code?: unknown; correlationId?: unknown; retryAfterSeconds?: unknown };
}
