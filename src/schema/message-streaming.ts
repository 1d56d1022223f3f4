/**
 * Streamed replies: startMessage, appendMessage, completeMessage, failMessage, cancelMessage,
 * and the messageStream subscription (deltas from an offset, then the final status).
 */
import type { ReplyStreamItem } from '../services/reply-watch.service.ts';
import { builder, principalOf, watcherOf } from './builder.ts';
import { Message, MessageRole, MessageStatus } from './message.ts';

const StartMessageInput = builder.inputType('StartMessageInput', {
  fields: (t) => ({
    role: t.field({ type: MessageRole, required: false, description: 'Default ASSISTANT.' }),
    metadata: t.field({ type: 'JSON', required: false, description: 'A JSON object, bounded in size and depth.' }),
    clientMessageId: t.string({
      required: false,
      description: 'Makes the start idempotent: the same id in the same session returns the reply it opened.',
    }),
  }),
});

const MessageChunkInput = builder.inputType('MessageChunkInput', {
  fields: (t) => ({
    index: t.int({ required: true, description: 'Position of the chunk in the reply: 0, 1, 2, … A retried index is stored once.' }),
    text: t.string({ required: true }),
  }),
});

const CompleteMessageInput = builder.inputType('CompleteMessageInput', {
  fields: (t) => ({
    metadata: t.field({ type: 'JSON', required: false, description: 'Replaces the metadata; null clears it; omitted: unchanged.' }),
    finishReason: t.string({ required: false, description: 'For example `stop` or `length` (1–64 printable ASCII characters).' }),
  }),
});

const AppendMessagePayload = builder
  .objectRef<{ messageId: string; status: 'STREAMING' | 'COMPLETE' | 'CANCELLED' | 'FAILED'; offset: number; nextIndex: number }>(
    'AppendMessagePayload',
  )
  .implement({
    description: 'Where the reply stands after an append. status CANCELLED: a reader stopped it; stop producing.',
    fields: (t) => ({
      messageId: t.exposeID('messageId'),
      status: t.expose('status', { type: MessageStatus }),
      offset: t.exposeInt('offset', { description: 'Characters (code points) stored so far.' }),
      nextIndex: t.exposeInt('nextIndex', { description: 'The index the next new chunk must carry.' }),
    }),
  });

builder.mutationField('startMessage', (t) =>
  t.field({
    type: Message,
    description:
      'Opens a STREAMING reply (service tokens only). It takes its seq now and messageReceived announces it; ' +
      'append its text with appendMessage, then completeMessage or failMessage.',
    args: { sessionId: t.arg.id({ required: true }), input: t.arg({ type: StartMessageInput, required: false }) },
    resolve: (_root, { sessionId, input }, ctx) => ctx.services.replies.start(principalOf(ctx), String(sessionId), input ?? {}),
  }),
);

builder.mutationField('appendMessage', (t) =>
  t.field({
    type: AppendMessagePayload,
    description:
      'Appends chunks to a STREAMING reply (its producer only). Idempotent by chunk index; a gap is refused with ' +
      'CHUNK_OUT_OF_ORDER. Not counted against MESSAGES_PER_MINUTE (bounded by STREAM_APPENDS_PER_SECOND).',
    args: { id: t.arg.id({ required: true }), chunks: t.arg({ type: [MessageChunkInput], required: true }) },
    resolve: (_root, { id, chunks }, ctx) => ctx.services.replies.append(principalOf(ctx), String(id), chunks),
  }),
);

builder.mutationField('completeMessage', (t) =>
  t.field({
    type: Message,
    description: 'Ends a STREAMING reply as COMPLETE (its producer only).',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: CompleteMessageInput, required: false }) },
    resolve: (_root, { id, input }, ctx) =>
      ctx.services.replies.complete(principalOf(ctx), String(id), {
        finishReason: input?.finishReason,
        ...(input && 'metadata' in input ? { metadata: input.metadata } : {}),
      }),
  }),
);

builder.mutationField('failMessage', (t) =>
  t.field({
    type: Message,
    description: 'Ends a STREAMING reply as FAILED, keeping its text so far (its producer only).',
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: (_root, { id, reason }, ctx) => ctx.services.replies.fail(principalOf(ctx), String(id), reason),
  }),
);

builder.mutationField('cancelMessage', (t) =>
  t.field({
    type: Message,
    description:
      'Stops a STREAMING reply (any participant of its session): it keeps its text so far as CANCELLED, ' +
      'and its producer learns it from its next append.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.services.replies.cancel(principalOf(ctx), String(id)),
  }),
);

const MessageStreamEvent = builder.objectRef<ReplyStreamItem>('MessageStreamEvent').implement({
  description:
    'A piece of a streamed reply: `text` starts at code point `offset`. The last event has done: true, ' +
    'empty text, the final status, and offset = the total length.',
  fields: (t) => ({
    messageId: t.exposeID('messageId'),
    offset: t.exposeInt('offset'),
    text: t.string({ resolve: (e) => (e.type === 'MESSAGE_DELTA' ? e.text : '') }),
    status: t.field({ type: MessageStatus, resolve: (e) => (e.type === 'MESSAGE_DELTA' ? 'STREAMING' : e.status) }),
    finishReason: t.string({ nullable: true, resolve: (e) => (e.type === 'MESSAGE_DELTA' ? null : e.finishReason) }),
    done: t.boolean({ resolve: (e) => e.type === 'MESSAGE_STREAM_END' }),
  }),
});

builder.subscriptionField('messageStream', (t) =>
  t.field({
    type: MessageStreamEvent,
    description:
      'The text of a reply from `fromOffset` (default 0; code points you already have) on: what was appended so far, ' +
      'then live deltas with no gap and no duplicate, then a final event (done: true) with the status. Reconnect with ' +
      'the offset you reached to resume, on any instance.',
    args: { messageId: t.arg.id({ required: true }), fromOffset: t.arg.int({ required: false }) },
    subscribe: (_root, args, ctx) => ctx.services.replyWatch.messageStream(watcherOf(ctx), String(args.messageId), args.fromOffset),
    resolve: (event: ReplyStreamItem) => event,
  }),
);
