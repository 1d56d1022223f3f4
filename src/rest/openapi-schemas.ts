/** OpenAPI 3.0 component schemas for the REST shim's bodies and responses. */

const message = {
  type: 'object',
  required: [
    'id',
    'sessionId',
    'role',
    'content',
    'metadata',
    'timestamp',
    'seq',
    'authorId',
    'editedAt',
    'clientMessageId',
    'status',
    'finishReason',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    sessionId: { type: 'string' },
    role: { type: 'string', enum: ['USER', 'ASSISTANT', 'SYSTEM'] },
    content: { type: 'string' },
    metadata: { type: 'object', nullable: true, additionalProperties: true },
    timestamp: { type: 'string', format: 'date-time' },
    seq: { type: 'integer', description: 'Position in the session (1, 2, 3, …); never reused.' },
    authorId: { type: 'string' },
    editedAt: { type: 'string', format: 'date-time', nullable: true },
    clientMessageId: { type: 'string', nullable: true, description: 'The Idempotency-Key it was sent with.' },
    status: {
      type: 'string',
      enum: ['COMPLETE', 'STREAMING', 'CANCELLED', 'FAILED'],
      description: 'COMPLETE for messages sent whole; a streamed reply is STREAMING (content: its text so far) until it ends.',
    },
    finishReason: { type: 'string', nullable: true, description: 'Why a streamed reply ended.' },
  },
};

const metadata = {
  type: 'object',
  nullable: true,
  additionalProperties: true,
  description: 'A JSON object, bounded by MAX_METADATA_BYTES and MAX_METADATA_DEPTH.',
};

/** Every schema the routes refer to by name (`#/components/schemas/<name>`). */
export const openApiSchemas = {
  Message: message,
  MessageList: { type: 'array', items: { $ref: '#/components/schemas/Message' } },
  MessageCount: { type: 'object', required: ['count'], properties: { count: { type: 'integer' } } },
  MessageDeleted: {
    type: 'object',
    required: ['deleted', 'id'],
    properties: { deleted: { type: 'boolean', enum: [true] }, id: { type: 'string' } },
  },
  MessagesCleared: { type: 'object', required: ['deletedCount'], properties: { deletedCount: { type: 'integer' } } },
  SendMessageBody: {
    type: 'object',
    required: ['content'],
    properties: {
      content: { type: 'string', description: 'Not empty; at most MAX_MESSAGE_LENGTH characters (default 10000).' },
      metadata,
      role: {
        type: 'string',
        enum: ['USER', 'ASSISTANT', 'SYSTEM'],
        description: 'Optional, case-insensitive. Only service tokens may send ASSISTANT or SYSTEM.',
      },
      clientMessageId: { type: 'string', description: 'Same meaning as the Idempotency-Key header.' },
    },
  },
  UpdateMessageBody: {
    type: 'object',
    description: 'At least one of content and metadata.',
    properties: { content: { type: 'string' }, metadata: { ...metadata, description: 'Replaces the metadata; null clears it.' } },
  },
  Error: {
    type: 'object',
    required: ['statusCode', 'message', 'error', 'code', 'correlationId'],
    properties: {
      statusCode: { type: 'integer', example: 404 },
      message: { type: 'string', example: 'Session "…" was not found' },
      error: { type: 'string', example: 'Not Found' },
      code: { type: 'string', example: 'NOT_FOUND', description: 'The code of the error table, as GraphQL answers it in extensions.code.' },
      correlationId: { type: 'string', description: 'Also in the x-correlation-id header; quote it when reporting.' },
    },
  },
} as const;
