/** Query fields for messages: messages, recentMessages, messageCount, message. */
import { builder, principalOf } from './builder.ts';
import { Message } from './message.ts';

builder.queryField('messages', (t) =>
  t.prismaField({
    type: [Message],
    description: 'A page of messages, oldest first (the legacy offset paging).',
    args: {
      sessionId: t.arg.id({ required: true }),
      limit: t.arg.int({ defaultValue: 50 }),
      offset: t.arg.int({ defaultValue: 0 }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.services.messages.list(principalOf(ctx), String(args.sessionId), args.limit ?? 50, args.offset ?? 0, query),
  }),
);

builder.queryField('recentMessages', (t) =>
  t.prismaField({
    type: [Message],
    description: 'The last `limit` messages, in chronological order.',
    args: { sessionId: t.arg.id({ required: true }), limit: t.arg.int({ defaultValue: 10 }) },
    resolve: (query, _root, args, ctx) =>
      ctx.services.messages.listRecent(principalOf(ctx), String(args.sessionId), args.limit ?? 10, query),
  }),
);

builder.queryField('messageCount', (t) =>
  t.int({
    args: { sessionId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.messages.count(principalOf(ctx), String(args.sessionId)),
  }),
);

builder.queryField('message', (t) =>
  t.field({
    type: Message,
    description: 'One message of a session I am in.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.messages.requireMessage(principalOf(ctx), String(args.id)),
  }),
);
