/**
 * Per-subscriber streams over the session hub: new messages (with replay after a
 * known position, no gap and no duplicate), edits, deletions and typing. Each stream
 * marks its user present in the session while it is open.
 */
import type { ConversationMessage } from '../db/prisma-client.ts';
import type { ChatEvent } from '../services/chat-events.ts';
import { EventQueue } from './event-queue.ts';
import type { SessionEvent, TypingEvent } from './events.ts';
import type { PresenceRegistry } from './presence.ts';
import type { SessionHub } from './session-hub.ts';

export type MessageCreatedEvent = Extract<ChatEvent, { type: 'MESSAGE_CREATED' }>;
export type MessageUpdatedEvent = Extract<ChatEvent, { type: 'MESSAGE_UPDATED' }>;
export type MessageRemovalEvent = Extract<ChatEvent, { type: 'MESSAGE_DELETED' | 'CONVERSATION_CLEARED' }>;

export interface StreamDeps {
  hub: SessionHub;
  presence: PresenceRegistry;
  /** Most events a subscriber may fall behind before it is cut off. */
  maxQueuedEvents: number;
}

export interface StreamRequest {
  sessionId: string;
  userId: string;
  /** When the caller's token expires (ms epoch): the stream ends with `onExpired` then. */
  expiresAt: number | null;
  onExpired: () => unknown;
}

const REPLAY_BATCH = 200;

async function openStream<T extends SessionEvent>(
  deps: StreamDeps,
  request: StreamRequest,
  accept: (event: SessionEvent) => event is T,
  onLive?: (queue: EventQueue<T>, event: T) => void,
): Promise<{ queue: EventQueue<T>; leave: () => void; goLive: () => void; liveFromSeq: number }> {
  const queue = new EventQueue<T>(deps.maxQueuedEvents);
  const buffered: T[] = [];
  let live = false;
  const deliver = onLive ?? ((q: EventQueue<T>, event: T) => q.push(event));
  const { leave, seq: liveFromSeq } = await deps.hub.join(request.sessionId, (event) => {
    if (!accept(event)) return;
    if (live) deliver(queue, event);
    else if (buffered.length < deps.maxQueuedEvents) buffered.push(event);
    else queue.fail(new Error('Too many events arrived during replay; resubscribe with `after`'));
  });
  const leavePresence = deps.presence.enter(request.sessionId, request.userId);
  queue.onEnd(leave);
  queue.onEnd(leavePresence);
  if (request.expiresAt !== null) {
    const timer = setTimeout(() => queue.fail(request.onExpired()), Math.max(0, request.expiresAt - Date.now()));
    timer.unref();
    queue.onEnd(() => clearTimeout(timer));
  }
  const goLive = () => {
    live = true;
    for (const event of buffered.splice(0)) deliver(queue, event);
  };
  return { queue, leave: () => void queue.return(), goLive, liveFromSeq };
}

/**
 * New messages of the session in seq order. With `afterSeq`, everything stored after it
 * is replayed first, then live messages follow without gap or duplicate. Without it, the
 * stream starts after the last message stored when the subscription went live.
 */
export async function messageCreatedStream(
  deps: StreamDeps,
  request: StreamRequest,
  replay: { afterSeq: number; fetch: (afterSeq: number, limit: number) => Promise<ConversationMessage[]> } | null,
): Promise<AsyncIterableIterator<MessageCreatedEvent>> {
  let lastSeq = replay ? replay.afterSeq : -1;
  const push = (queue: EventQueue<MessageCreatedEvent>, event: MessageCreatedEvent) => {
    if (event.message.seq <= lastSeq) return;
    lastSeq = event.message.seq;
    queue.push(event);
  };
  const stream = await openStream(deps, request, (e): e is MessageCreatedEvent => e.type === 'MESSAGE_CREATED', push);
  if (!replay) {
    lastSeq = stream.liveFromSeq;
    stream.goLive();
    return stream.queue;
  }
  try {
    for (;;) {
      const batch = await replay.fetch(lastSeq, REPLAY_BATCH);
      for (const message of batch) push(stream.queue, { type: 'MESSAGE_CREATED', sessionId: request.sessionId, message });
      if (batch.length < REPLAY_BATCH) break;
    }
  } catch (error) {
    stream.leave();
    throw error;
  }
  stream.goLive();
  return stream.queue;
}

/** Live events of the session that `accept` keeps, from now on. */
async function liveStream<T extends SessionEvent>(
  deps: StreamDeps,
  request: StreamRequest,
  accept: (event: SessionEvent) => event is T,
): Promise<AsyncIterableIterator<T>> {
  const stream = await openStream(deps, request, accept);
  stream.goLive();
  return stream.queue;
}

export const messageUpdatedStream = (deps: StreamDeps, request: StreamRequest) =>
  liveStream(deps, request, (e): e is MessageUpdatedEvent => e.type === 'MESSAGE_UPDATED');

export const messageRemovedStream = (deps: StreamDeps, request: StreamRequest) =>
  liveStream(deps, request, (e): e is MessageRemovalEvent => e.type === 'MESSAGE_DELETED' || e.type === 'CONVERSATION_CLEARED');

/** Typing changes of everyone but the subscriber themself. */
export const typingStream = (deps: StreamDeps, request: StreamRequest) =>
  liveStream(deps, request, (e): e is TypingEvent => e.type === 'TYPING' && e.userId !== request.userId);
