/** Mutation fields for messages: sendMessage, updateMessage, deleteMessage, clearConversation. */
import { builder, principalOf } from './builder.ts';
import { Message, MessageRole } from './message.ts';

const SendMessageInput = builder.inputType('SendMessageInput', {
  fields: (t) => ({
    content: t.string({ required: true }),
    metadata: t.field({ type: 'JSON', required: false, description: 'A JSON object, bounded in size and depth.' }),
    role: t.field({ type: MessageRole, required: false, description: 'Default USER (ASSISTANT for service tokens).' }),
    clientMessageId: t.string({
      required: false,
      description: 'Makes the send idempotent: the same id in the same session returns the first message.',
    }),
  }),
});

const UpdateMessageInput = builder.inputType('UpdateMessageInput', {
  fields: (t) => ({
    content: t.string({ required: false }),
    metadata: t.field({ type: 'JSON', required: false, description: 'Replaces the metadata; null clears it.' }),
  }),
});

builder.mutationField('sendMessage', (t) =>
  t.field({
    type: Message,
    args: { sessionId: t.arg.id({ required: true }), input: t.arg({ type: SendMessageInput, required: true }) },
    resolve: async (_root, { sessionId, input }, ctx) =>
      (await ctx.services.messages.send(principalOf(ctx), String(sessionId), input)).message,
  }),
);

builder.mutationField('updateMessage', (t) =>
  t.field({
    type: Message,
    description: 'Edits a message; only its author may.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateMessageInput, required: true }) },
    resolve: (_root, { id, input }, ctx) =>
      ctx.services.messages.update(principalOf(ctx), String(id), {
        content: input.content,
        ...('metadata' in input ? { metadata: input.metadata } : {}),
      }),
  }),
);

builder.mutationField('deleteMessage', (t) =>
  t.field({
    type: Message,
    description: 'Deletes a message (only its author may) and returns it as it was.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.services.messages.delete(principalOf(ctx), String(id)),
  }),
);

builder.mutationField('clearConversation', (t) =>
  t.int({
    description: 'Deletes every message of a session (owner only); returns how many were deleted.',
    args: { sessionId: t.arg.id({ required: true }) },
    resolve: (_root, { sessionId }, ctx) => ctx.services.messages.clear(principalOf(ctx), String(sessionId)),
  }),
);
