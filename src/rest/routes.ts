/**
 * The legacy REST routes. Each one is a thin mapping onto ONE GraphQL document:
 * how to build its variables from path, query and body, and how to shape its data
 * into the legacy response. Every rule (auth, ranges, limits) is GraphQL's.
 */
import * as documents from './documents.ts';
import { integerParam, optionalString, requiredString, type JsonObject } from './request-input.ts';
import { badRestInput } from './rest-error.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a route sees of the HTTP request, already parsed. */
export interface RouteRequest {
  /** Decoded path parameters, by the names in the route's pattern. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** The JSON body (`{}` for routes without one). */
  body: JsonObject;
  /** A request header's value (lower-case name). */
  header(name: string): string | undefined;
}

/** Names of the OpenAPI schemas a route answers with (see openapi-schemas.ts). */
export type ResponseSchema = 'Message' | 'MessageList' | 'MessageCount' | 'MessageDeleted' | 'MessagesCleared';

export interface RestRoute {
  method: HttpMethod;
  /** Express-style pattern, e.g. `/chat/sessions/:sessionId/messages`. */
  path: string;
  operationId: string;
  summary: string;
  /** The GraphQL document this route runs. */
  document: string;
  /** The OpenAPI schema of the JSON body, when the route reads one. */
  body?: 'SendMessageBody' | 'UpdateMessageBody';
  /** Integer query parameters, documented in OpenAPI. */
  queryParams?: { name: string; description: string }[];
  /** Request headers it reads, documented in OpenAPI. */
  headerParams?: { name: string; description: string }[];
  success: { status: 200 | 201; schema: ResponseSchema; description: string };
  /** Whether the route can answer 403 (acting on someone else's message or session). */
  mayForbid?: boolean;
  /** GraphQL variables for the request; throws a 400 RestError for unusable input. */
  variables(request: RouteRequest): Record<string, unknown>;
  /** The response body made from the operation's data. */
  respond(data: Record<string, unknown>): unknown;
}

const limitDoc = (fallback: number) => `Page size, 1 to MAX_PAGE_SIZE (default 200); default ${fallback}.`;

export const restRoutes: readonly RestRoute[] = [
  {
    method: 'POST',
    path: '/chat/sessions/:sessionId/messages',
    operationId: 'sendMessage',
    summary: 'Sends a message. An Idempotency-Key makes retries return the first message (201 again) and store nothing.',
    document: documents.sendMessageDocument,
    body: 'SendMessageBody',
    headerParams: [
      {
        name: 'Idempotency-Key',
        description: 'Makes retries safe: same rules and meaning as clientMessageId (1 to 128 printable ASCII characters).',
      },
    ],
    success: { status: 201, schema: 'Message', description: 'The stored message (or, on a retry, the original one).' },
    mayForbid: true,
    variables: ({ params, body, header }) => {
      const content = requiredString(body, 'content');
      const role = optionalString(body, 'role');
      const clientMessageId = idempotencyKey(header('idempotency-key'), optionalString(body, 'clientMessageId'));
      const input: JsonObject = { content };
      if (body.metadata !== undefined) input.metadata = body.metadata;
      if (role !== undefined) input.role = role.toUpperCase();
      if (clientMessageId !== undefined) input.clientMessageId = clientMessageId;
      return { sessionId: params.sessionId, input };
    },
    respond: (data) => data.sendMessage,
  },
  {
    method: 'GET',
    path: '/chat/sessions/:sessionId/messages',
    operationId: 'listMessages',
    summary: 'A page of messages, oldest first.',
    document: documents.listMessagesDocument,
    queryParams: [
      { name: 'limit', description: limitDoc(50) },
      { name: 'offset', description: 'Messages to skip from the oldest, 0 or more; default 0.' },
    ],
    success: { status: 200, schema: 'MessageList', description: 'The page, oldest first.' },
    variables: ({ params, query }) => ({
      sessionId: params.sessionId,
      limit: integerParam(query, 'limit'),
      offset: integerParam(query, 'offset'),
    }),
    respond: (data) => data.messages,
  },
  {
    method: 'GET',
    path: '/chat/sessions/:sessionId/messages/recent',
    operationId: 'listRecentMessages',
    summary: 'The last `limit` messages, in chronological order.',
    document: documents.recentMessagesDocument,
    queryParams: [{ name: 'limit', description: limitDoc(10) }],
    success: { status: 200, schema: 'MessageList', description: 'The latest messages, oldest first.' },
    variables: ({ params, query }) => ({ sessionId: params.sessionId, limit: integerParam(query, 'limit') }),
    respond: (data) => data.recentMessages,
  },
  {
    method: 'GET',
    path: '/chat/sessions/:sessionId/messages/count',
    operationId: 'countMessages',
    summary: 'How many messages the session holds.',
    document: documents.countMessagesDocument,
    success: { status: 200, schema: 'MessageCount', description: 'The number of stored messages.' },
    variables: ({ params }) => ({ sessionId: params.sessionId }),
    respond: (data) => ({ count: data.messageCount }),
  },
  {
    method: 'PUT',
    path: '/chat/messages/:messageId',
    operationId: 'updateMessage',
    summary: 'Edits a message (its author only). Omitted fields stay; "metadata": null clears the metadata.',
    document: documents.updateMessageDocument,
    body: 'UpdateMessageBody',
    success: { status: 200, schema: 'Message', description: 'The edited message.' },
    mayForbid: true,
    variables: ({ params, body }) => {
      const content = optionalString(body, 'content');
      const input: JsonObject = {};
      if (content !== undefined) input.content = content;
      if ('metadata' in body) input.metadata = body.metadata;
      return { id: params.messageId, input };
    },
    respond: (data) => data.updateMessage,
  },
  {
    method: 'DELETE',
    path: '/chat/messages/:messageId',
    operationId: 'deleteMessage',
    summary: 'Deletes a message (its author only).',
    document: documents.deleteMessageDocument,
    success: { status: 200, schema: 'MessageDeleted', description: 'The message is gone.' },
    mayForbid: true,
    variables: ({ params }) => ({ id: params.messageId }),
    respond: (data) => ({ deleted: true, id: (data.deleteMessage as { id: string }).id }),
  },
  {
    method: 'DELETE',
    path: '/chat/sessions/:sessionId/messages',
    operationId: 'clearMessages',
    summary: 'Deletes every message of a session (its owner only).',
    document: documents.clearMessagesDocument,
    success: { status: 200, schema: 'MessagesCleared', description: 'How many messages were deleted.' },
    mayForbid: true,
    variables: ({ params }) => ({ sessionId: params.sessionId }),
    respond: (data) => ({ deletedCount: data.clearConversation }),
  },
];

/** The Idempotency-Key header, or a `clientMessageId` in the body; both must agree. */
function idempotencyKey(header: string | undefined, bodyId: string | undefined): string | undefined {
  if (header !== undefined && bodyId !== undefined && header !== bodyId) {
    throw badRestInput('Idempotency-Key header and clientMessageId differ; send one of them');
  }
  return header ?? bodyId;
}
