/** Message type and its role enum. */
import { MessageRole as MessageRoleValues, MessageStatus as MessageStatusValues } from '../db/prisma-client.ts';
import { builder } from './builder.ts';

export const MessageRole = builder.enumType(MessageRoleValues, {
  name: 'MessageRole',
  description: 'USER messages come from people; ASSISTANT and SYSTEM need a service token.',
});

export const MessageStatus = builder.enumType(MessageStatusValues, {
  name: 'MessageStatus',
  description:
    'COMPLETE: a message sent whole, or a streamed reply that finished. STREAMING: its producer is still appending. ' +
    'CANCELLED: stopped by a reader (cancelMessage). FAILED: its producer failed it, or sent nothing for STREAM_IDLE_TIMEOUT_MS.',
});

export const Message = builder.prismaObject('ConversationMessage', {
  name: 'Message',
  fields: (t) => ({
    id: t.exposeID('id'),
    sessionId: t.exposeID('sessionId'),
    seq: t.exposeInt('seq', {
      description: 'Position in the session (1, 2, 3, …). Never changes or is reused; a jump means a missed message.',
    }),
    role: t.expose('role', { type: MessageRole }),
    content: t.string({
      description: 'The text; for a STREAMING reply, everything appended so far.',
      // No `select`: the type loads whole rows, so status and content are always there (a `select` would make
      // Pothos re-read rows it did not load itself, such as events and mutation results).
      // Settled rows answer synchronously: a promise per message would make the executor
      // complete every row of a page asynchronously.
      resolve: (message, _args, ctx) => (message.status === 'STREAMING' ? ctx.services.replyWatch.currentText(message) : message.content),
    }),
    status: t.expose('status', { type: MessageStatus }),
    finishReason: t.exposeString('finishReason', {
      nullable: true,
      description: "Why a streamed reply ended: the producer's finishReason, its failure reason, `cancelled` or `idle_timeout`.",
    }),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true }),
    timestamp: t.expose('timestamp', { type: 'DateTime' }),
    authorId: t.exposeID('authorId'),
    editedAt: t.expose('editedAt', { type: 'DateTime', nullable: true }),
    clientMessageId: t.exposeString('clientMessageId', { nullable: true }),
    session: t.relation('session'),
  }),
});
