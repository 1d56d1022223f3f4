/** Subscriptions (messageReceived, messageUpdated, messageDeleted, typing) and the typing/connection mutations. */
import type { Context } from '../context.ts';
import { AppError, badInput } from '../errors.ts';
import type { TypingEvent } from '../realtime/events.ts';
import {
  messageCreatedStream,
  messageRemovedStream,
  messageUpdatedStream,
  typingStream,
  type MessageCreatedEvent,
  type MessageRemovalEvent,
  type MessageUpdatedEvent,
  type StreamRequest,
} from '../realtime/session-streams.ts';
import { builder, principalOf } from './builder.ts';
import { Message } from './message.ts';

builder.subscriptionType({});

/** Authorizes the session and describes the stream; over WebSocket the connection enforces expiry. */
async function streamRequest(ctx: Context, sessionId: string): Promise<StreamRequest> {
  const principal = principalOf(ctx);
  await ctx.services.sessions.requireSession(principal, sessionId);
  return {
    sessionId,
    userId: principal.userId,
    expiresAt: ctx.connection ? null : principal.expiresAt,
    onExpired: () => new AppError('UNAUTHENTICATED', 'Token expired; subscribe again with a fresh token'),
  };
}

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
    subscribe: async (_root, args, ctx) => {
      const sessionId = String(args.sessionId);
      const request = await streamRequest(ctx, sessionId);
      let afterSeq: number | null = null;
      if (args.after) afterSeq = await ctx.services.messages.positionOf(principalOf(ctx), sessionId, String(args.after));
      else if (args.afterSeq !== null && args.afterSeq !== undefined) {
        if (args.afterSeq < 0) throw badInput('afterSeq must be 0 or more');
        afterSeq = args.afterSeq;
      }
      const replay =
        afterSeq === null
          ? null
          : { afterSeq, fetch: (seq: number, limit: number) => ctx.services.messages.messagesAfter(sessionId, seq, limit) };
      return messageCreatedStream(ctx.realtime.streams, request, replay);
    },
    resolve: (event: MessageCreatedEvent) => event.message,
  }),
);

builder.subscriptionField('messageUpdated', (t) =>
  t.field({
    type: Message,
    description: 'Messages of the session as they are edited.',
    args: { sessionId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) =>
      messageUpdatedStream(ctx.realtime.streams, await streamRequest(ctx, String(args.sessionId))),
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
    subscribe: async (_root, args, ctx) =>
      messageRemovedStream(ctx.realtime.streams, await streamRequest(ctx, String(args.sessionId))),
    resolve: (event: MessageRemovalEvent) => event,
  }),
);

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
    subscribe: async (_root, args, ctx) => typingStream(ctx.realtime.streams, await streamRequest(ctx, String(args.sessionId))),
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

builder.mutationField('refreshConnectionToken', (t) =>
  t.field({
    type: 'DateTime',
    nullable: true,
    description:
      'Over a WebSocket: replaces the connection token with a fresh one for the same user, keeping every ' +
      'subscription open. Returns the new expiry (null if the token has none).',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => {
      principalOf(ctx);
      if (!ctx.connection) throw badInput('refreshConnectionToken only applies to operations sent over a WebSocket');
      return ctx.connection.refreshToken(args.token);
    },
  }),
);
