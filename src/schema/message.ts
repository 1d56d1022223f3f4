/** Message type and its role enum. */
import { MessageRole as MessageRoleValues } from '../db/prisma-client.ts';
import { builder } from './builder.ts';

export const MessageRole = builder.enumType(MessageRoleValues, {
  name: 'MessageRole',
  description: 'USER messages come from people; ASSISTANT and SYSTEM need a service token.',
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
    content: t.exposeString('content'),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true }),
    timestamp: t.expose('timestamp', { type: 'DateTime' }),
    authorId: t.exposeID('authorId'),
    editedAt: t.expose('editedAt', { type: 'DateTime', nullable: true }),
    clientMessageId: t.exposeString('clientMessageId', { nullable: true }),
    session: t.relation('session'),
  }),
});
