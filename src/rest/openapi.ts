/**
 * The OpenAPI 3.0 document of the REST shim, generated from the route table so it
 * lists exactly the routes the handler serves. Served without auth at OPENAPI_PATH.
 */
import { openApiSchemas } from './openapi-schemas.ts';
import type { RestRoute } from './routes.ts';

/** Where the document is served. */
export const OPENAPI_PATH = '/chat/openapi.json';

/** A JSON document; the shape is checked by the tests, not by types. */
export type OpenApiDocument = Record<string, unknown>;

const errorStatuses: Record<string, string> = {
  '400': 'Invalid input: bad JSON, missing content, bad limit/offset, content over the limit.',
  '401': 'Missing, invalid or expired JWT.',
  '403': "Not allowed: someone else's message, or a session you do not own.",
  '404': 'The session or message does not exist or is not yours to see.',
  '413': 'The request body is larger than MAX_BODY_BYTES (default 256 KiB).',
  '429': 'Too many requests; retry later.',
  '500': 'Unexpected server error (masked); quote the correlation id.',
  '503': 'A dependency (the database) is unavailable; retry shortly.',
};

/** Builds the document for `routes`; `cookieName` is the cookie that may carry the JWT. */
export function buildOpenApiDocument(routes: readonly RestRoute[], options: { cookieName: string }): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationFor(route) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Chat legacy REST API',
      version: '1.0.0',
      description:
        'The routes of the former NestJS chat module. Each runs one GraphQL operation on /graphql, ' +
        "so auth, limits and errors are the same as GraphQL's.",
    },
    paths,
    components: {
      schemas: openApiSchemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: options.cookieName },
      },
      responses: Object.fromEntries(
        Object.entries(errorStatuses).map(([status, description]) => [`Error${status}`, errorResponse(description)]),
      ),
    },
    security: [{ bearerAuth: [] }, { cookieAuth: [] }],
  };
}

function operationFor(route: RestRoute): Record<string, unknown> {
  const pathParams = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const queryParams = (route.queryParams ?? []).map(({ name, description }) => ({
    name,
    in: 'query',
    required: false,
    description,
    schema: { type: 'integer', format: 'int32' },
  }));
  const headerParams = (route.headerParams ?? []).map(({ name, description }) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema: { type: 'string' },
  }));
  const statuses = ['400', '401', ...(route.mayForbid ? ['403'] : []), '404', ...(route.body ? ['413'] : []), '429', '500', '503'];
  return {
    operationId: route.operationId,
    summary: route.summary,
    parameters: [...pathParams, ...queryParams, ...headerParams],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaRef(route.body) } } } } : {}),
    responses: {
      [String(route.success.status)]: {
        description: route.success.description,
        content: { 'application/json': { schema: schemaRef(route.success.schema) } },
      },
      ...Object.fromEntries(statuses.map((status) => [status, { $ref: `#/components/responses/Error${status}` }])),
    },
  };
}

function schemaRef(name: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}

function errorResponse(description: string): Record<string, unknown> {
  return {
    description,
    headers: { 'x-correlation-id': { schema: { type: 'string' } } },
    content: { 'application/json': { schema: schemaRef('Error') } },
  };
}
