/** Typing indicators: the TypingEvent type, the typing subscription and the setTyping mutation. */
import type { TypingEvent } from '../services/message-stream.service.ts';
import { builder, principalOf, watcherOf } from './builder.ts';

const Typing = builder.objectRef<TypingEvent>('TypingEvent').implement({
  fields: (t) => ({
    sessionId: t.exposeID('sessionId'),
    userId: t.exposeID('userId'),
    isTyping: t.exposeBoolean('isTyping'),
  }),
});

builder.subscriptionField('typing', (t) =>
  t.field({
    type: Typing,
    description: 'Other participants starting and stopping typing (your own changes are not echoed).',
    args: { sessionId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => ctx.services.streams.typing(watcherOf(ctx), String(args.sessionId)),
    resolve: (event: TypingEvent) => event,
  }),
);

builder.mutationField('setTyping', (t) =>
  t.boolean({
    description:
      'Shows or hides your typing indicator. Never stored; renew isTyping: true every few seconds or it expires by itself. ' +
      'Returns false when the change was throttled (not forwarded).',
    args: { sessionId: t.arg.id({ required: true }), isTyping: t.arg.boolean({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.typing.setTyping(principalOf(ctx), String(args.sessionId), args.isTyping),
  }),
);
