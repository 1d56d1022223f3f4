/**
 * One subscriber's stream over the session hub: it joins the session's channel, marks the
 * user present while open, buffers live events while the caller replays history, and ends
 * at a given time. What the stream carries, where it starts and when it ends are decided by
 * the caller (the message stream service); this file only moves the events.
 */
import { EventQueue, type QueueOwner } from './event-queue.ts';
import type { SessionEvent } from './events.ts';
import type { PresenceRegistry } from './presence.ts';
import type { SessionHub, SessionListener } from './session-hub.ts';

export interface SessionStreamOptions<T extends SessionEvent> {
  sessionId: string;
  /** Shown present in the session while the stream is open. */
  userId: string;
  /** Which of the session's events the stream carries. */
  accept: (event: SessionEvent) => event is T;
  /**
   * Called for every accepted event about to be queued (replayed or live), in delivery order;
   * returning false drops it (default: keeps all).
   */
  admit?: (event: T) => boolean;
  /** Fails the stream with `error()` at `at` (ms epoch); null (default): never. */
  endsAt?: { at: number; error: () => unknown } | null;
}

export interface SessionStream<T> {
  /** The channel's highest delivered seq when the stream joined: every message above it reaches the stream. */
  readonly liveFromSeq: number;
  /** Queues an event ahead of the live ones (a replay from history). */
  replay(event: T): void;
  /**
   * Delivers the live events that arrived meanwhile, then every new one; returns what the
   * subscriber iterates (or consumes, see EventQueue.consume).
   */
  goLive(): EventQueue<T>;
  /** Ends the stream: leaves the channel and the session's presence. */
  close(): void;
}

export interface SessionStreamDeps {
  hub: SessionHub;
  presence: PresenceRegistry;
  /** Most events a subscriber may fall behind (or arrive during its replay) before it is cut off. */
  maxQueuedEvents: number;
}

export async function openSessionStream<T extends SessionEvent>(
  deps: SessionStreamDeps,
  options: SessionStreamOptions<T>,
): Promise<SessionStream<T>> {
  const stream = new LiveStream<T>(deps, options);
  await stream.open(options.endsAt);
  return stream;
}

const admitAll = () => true;

/**
 * A class, not closures: an idle subscriber holds this object and its queue, nothing per
 * callback. It is the hub's listener and the queue's owner (told once when the queue ends).
 */
class LiveStream<T extends SessionEvent> implements SessionStream<T>, SessionListener, QueueOwner {
  private readonly queue: EventQueue<T>;
  liveFromSeq = 0;
  /** Live events arriving during a replay (made on the first; none once live). */
  private buffered: T[] | null = null;
  private live = false;
  /** In the hub's channel (join adds the listener at once) / counted present / the queue ended. */
  private joined = false;
  private present = false;
  private ended = false;
  private readonly admit: (event: T) => boolean;

  private readonly sessionId: string;
  private readonly userId: string;
  private readonly accept: (event: SessionEvent) => event is T;

  constructor(
    private readonly deps: SessionStreamDeps,
    options: SessionStreamOptions<T>,
  ) {
    this.queue = new EventQueue<T>(deps.maxQueuedEvents, this);
    this.sessionId = options.sessionId;
    this.userId = options.userId;
    this.accept = options.accept;
    this.admit = options.admit ?? admitAll;
  }

  /** Joins the channel and the session's presence; `end`: when the stream fails by itself (options.endsAt). */
  async open(end: SessionStreamOptions<T>['endsAt']): Promise<void> {
    const { deps, queue } = this;
    this.joined = true;
    try {
      this.liveFromSeq = await deps.hub.join(this.sessionId, this);
    } catch (error) {
      this.joined = false;
      throw error;
    }
    if (this.ended) return;
    this.present = true;
    deps.presence.enter(this.sessionId, this.userId);
    if (end) {
      const timer = setTimeout(() => queue.fail(end.error()), Math.max(0, end.at - Date.now()));
      timer.unref();
      queue.onEnd(() => clearTimeout(timer));
    }
  }

  replay(event: T): void {
    if (this.admit(event)) this.queue.push(event);
  }

  goLive(): EventQueue<T> {
    this.live = true;
    const buffered = this.buffered;
    this.buffered = null;
    for (const event of buffered ?? []) this.replay(event);
    return this.queue;
  }

  close(): void {
    void this.queue.return();
  }

  /** The queue ended (returned or failed): leaves the channel and the session's presence, once. */
  queueEnded(): void {
    this.ended = true;
    this.buffered = null;
    const { sessionId, userId } = this;
    if (this.joined) this.deps.hub.leave(sessionId, this);
    if (this.present) this.deps.presence.leave(sessionId, userId);
    this.joined = false;
    this.present = false;
  }

  receive(event: SessionEvent): void {
    if (!this.accept(event)) return;
    if (this.live) {
      this.replay(event);
      return;
    }
    this.buffered ??= [];
    if (this.buffered.length < this.deps.maxQueuedEvents) this.buffered.push(event);
    else this.queue.fail(new Error('Too many events arrived during replay; resubscribe with `after`'));
  }
}
