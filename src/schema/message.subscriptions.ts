/** Subscription fields for messages: messageReceived, messageUpdated, messageDeleted. */
import type { MessageCreatedEvent, MessageRemovalEvent, MessageUpdatedEvent } from '../services/message-stream.service.ts';
import { builder, watcherOf } from './builder.ts';
import { Message } from './message.ts';

builder.subscriptionField('messageReceived', (t) =>
  t.field({
    type: Message,
    description:
      'Every new message of the session in seq order. With `after` (id of the last message you have) or `afterSeq`, ' +
      'everything stored after it is replayed first, then live messages follow with no gap and no duplicate.',
    args: {
      sessionId: t.arg.id({ required: true }),
      after: t.arg.id({ required: false }),
      afterSeq: t.arg.int({ required: false }),
    },
    subscribe: (_root, args, ctx) =>
      ctx.services.streams.messageReceived(watcherOf(ctx), String(args.sessionId), {
        after: args.after ? String(args.after) : null,
        afterSeq: args.afterSeq,
      }),
    resolve: (event: MessageCreatedEvent) => event.message,
  }),
);

builder.subscriptionField('messageUpdated', (t) =>
  t.field({
    type: Message,
    description: 'Messages of the session as they are edited.',
    args: { sessionId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => ctx.services.streams.messageUpdated(watcherOf(ctx), String(args.sessionId)),
    resolve: (event: MessageUpdatedEvent) => event.message,
  }),
);

const MessageDeletion = builder.objectRef<MessageRemovalEvent>('MessageDeletion').implement({
  description: 'A message was deleted, or (cleared: true) the whole conversation was cleared.',
  fields: (t) => ({
    sessionId: t.exposeID('sessionId'),
    messageId: t.id({ nullable: true, resolve: (e) => (e.type === 'MESSAGE_DELETED' ? e.messageId : null) }),
    seq: t.int({ nullable: true, resolve: (e) => (e.type === 'MESSAGE_DELETED' ? e.seq : null) }),
    cleared: t.boolean({ resolve: (e) => e.type === 'CONVERSATION_CLEARED' }),
    deletedCount: t.int({ resolve: (e) => (e.type === 'CONVERSATION_CLEARED' ? e.deletedCount : 1) }),
  }),
});

builder.subscriptionField('messageDeleted', (t) =>
  t.field({
    type: MessageDeletion,
    description: 'Deletions in the session, and clears of the whole conversation.',
    args: { sessionId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => ctx.services.streams.messageDeleted(watcherOf(ctx), String(args.sessionId)),
    resolve: (event: MessageRemovalEvent) => event,
  }),
);
