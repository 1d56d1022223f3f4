/**
 * Per-instance fan-out: one pubsub subscription per session channel (however many
 * local clients watch it), each event decoded once and handed, as the same object,
 * to every local listener. New messages are delivered in seq order: a jump in seq
 * (a publish lost on the way, Redis restarting) is filled from the database first. An edit
 * published after the message's deletion (an edit committed first whose publish lost the race,
 * possibly on another instance) is dropped: a deleted message never comes back to life.
 */
import type { ConversationMessage } from '../db/prisma-client.ts';
import type { Logger } from '../observability/logger.ts';
import { inSpan } from '../observability/tracing.ts';
import { decodeEvent, encodeEvent, type SessionEvent } from './events.ts';
import type { ChatPubSub } from './pubsub.ts';

/** Receives a session's events, each synchronously and as the same object as every other listener. */
export interface SessionListener {
  receive(event: SessionEvent): void;
}

/**
 * The history the hub reads to fill gaps, backed by a repository (never a service): the
 * session was authorized by whoever joined it.
 */
export interface HistorySource {
  lastSeq(sessionId: string): Promise<number>;
  messagesAfter(sessionId: string, afterSeq: number, limit: number): Promise<ConversationMessage[]>;
}

interface Channel {
  listeners: Set<SessionListener>;
  /** The pubsub subscription id, once the subscription is in place. */
  subscribed: Promise<number>;
  /** Resolves when listeners may rely on the channel (live, or Redis slow to answer). */
  ready: Promise<void>;
  /** Highest seq handed to the listeners (read from the database when the channel opens). */
  lastSeq: number;
  /** Serializes event handling so gap fills keep the order; starts once `ready`. */
  chain: Promise<void>;
  /** Ids of the latest messages deleted (at most RECENT_DELETIONS, oldest first); made on the first deletion. */
  deleted?: Set<string>;
}

/** Deleted message ids a channel remembers, to drop edits that arrive after their deletion. */
const RECENT_DELETIONS = 256;

const GAP_FILL_BATCH = 200;
/** Longest a new channel waits for its pubsub subscription before serving anyway. */
const SUBSCRIBE_WAIT_MS = 2000;

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export class SessionHub {
  private readonly channels = new Map<string, Channel>();

  constructor(
    private readonly pubsub: ChatPubSub,
    private readonly source: HistorySource,
    private readonly logger: Logger,
    private readonly channelPrefix = 'chat:session:',
  ) {
    pubsub.onReconnect(() => this.resyncAll());
  }

  /** Number of sessions with a live channel on this instance. */
  get channelCount(): number {
    return this.channels.size;
  }

  /** Publishes after the change is stored; a failure is logged, never thrown. */
  publish(event: SessionEvent): void {
    const channel = this.channelPrefix + event.sessionId;
    const published = inSpan(
      `${this.pubsub.system} publish`,
      { 'db.system': this.pubsub.system, 'messaging.destination.name': channel },
      () => this.pubsub.engine.publish(channel, encodeEvent(event)),
    );
    published.catch((error: unknown) => {
      this.logger.warn('publish failed; subscribers will catch up from the database', {
        sessionId: event.sessionId,
        error: String(error),
      });
    });
  }

  /**
   * Starts delivering the session's events to `listener`; resolves once live, with the
   * channel's highest delivered seq then. Every message with a seq above it reaches the
   * listener, in order; messages at or below it were stored before the listener went live
   * (and may reach it too, as duplicates).
   */
  async join(sessionId: string, listener: SessionListener): Promise<number> {
    let channel = this.channels.get(sessionId);
    if (!channel) channel = this.open(sessionId);
    channel.listeners.add(listener);
    try {
      await channel.ready;
    } catch (error) {
      this.drop(sessionId, channel, listener);
      throw error;
    }
    return channel.lastSeq;
  }

  /** Stops delivering to `listener`; nothing when it is not in the session's channel (already left). */
  leave(sessionId: string, listener: SessionListener): void {
    const channel = this.channels.get(sessionId);
    if (channel?.listeners.has(listener)) this.drop(sessionId, channel, listener);
  }

  private open(sessionId: string): Channel {
    const channel: Channel = {
      listeners: new Set(),
      lastSeq: 0,
      chain: Promise.resolve(),
      subscribed: Promise.resolve(0),
      ready: Promise.resolve(),
    };
    channel.subscribed = this.pubsub.engine.subscribe(
      this.channelPrefix + sessionId,
      (raw: string) => this.receive(sessionId, channel, raw),
      {},
    );
    // While Redis is away the subscription waits for the reconnect; subscribers need not:
    // they replay from the database, and the reconnect's resync delivers what was missed.
    const live = Promise.race([channel.subscribed, delay(SUBSCRIBE_WAIT_MS)]);
    channel.ready = live.then(async () => {
      channel.lastSeq = await this.source.lastSeq(sessionId);
    });
    // Events wait for that starting point: handled before it, a message would look like a
    // jump from seq 0 and the gap fill would hand the whole history to the new listeners.
    channel.chain = channel.ready.catch(() => {});
    channel.subscribed.catch((error: unknown) => this.logger.warn('channel subscription failed', { sessionId, error: String(error) }));
    this.channels.set(sessionId, channel);
    return channel;
  }

  private drop(sessionId: string, channel: Channel, listener: SessionListener): void {
    channel.listeners.delete(listener);
    if (channel.listeners.size > 0 || this.channels.get(sessionId) !== channel) return;
    this.channels.delete(sessionId);
    channel.subscribed.then(
      (subId) => this.pubsub.engine.unsubscribe(subId),
      () => {},
    );
  }

  private receive(sessionId: string, channel: Channel, raw: string): void {
    const event = decodeEvent(raw);
    if (!event) {
      this.logger.warn('dropped a malformed event', { sessionId });
      return;
    }
    channel.chain = channel.chain
      .then(() => this.deliver(sessionId, channel, event))
      .catch((error: unknown) => this.logger.error('event delivery failed', { sessionId, error: String(error) }));
  }

  private async deliver(sessionId: string, channel: Channel, event: SessionEvent): Promise<void> {
    if (event.type === 'MESSAGE_DELETED') rememberDeletion(channel, event.messageId);
    else if (event.type === 'MESSAGE_UPDATED' && channel.deleted?.has(event.message.id)) return;
    if (event.type === 'MESSAGE_CREATED') {
      const { seq } = event.message;
      if (seq <= channel.lastSeq) return this.dispatch(channel, event); // already known; listeners dedupe by seq
      if (seq > channel.lastSeq + 1) await this.fillGap(sessionId, channel, seq - 1);
      channel.lastSeq = Math.max(channel.lastSeq, seq);
    }
    this.dispatch(channel, event);
  }

  /** Delivers stored messages with lastSeq < seq ≤ untilSeq that never arrived live. */
  private async fillGap(sessionId: string, channel: Channel, untilSeq: number): Promise<void> {
    while (channel.lastSeq < untilSeq) {
      const missed = await this.source.messagesAfter(sessionId, channel.lastSeq, GAP_FILL_BATCH);
      const inRange = missed.filter((message) => message.seq <= untilSeq);
      for (const message of inRange) this.dispatch(channel, { type: 'MESSAGE_CREATED', sessionId, message });
      if (inRange.length < GAP_FILL_BATCH) {
        channel.lastSeq = untilSeq;
        return;
      }
      channel.lastSeq = inRange[inRange.length - 1]!.seq;
    }
  }

  private dispatch(channel: Channel, event: SessionEvent): void {
    for (const listener of channel.listeners) {
      try {
        listener.receive(event);
      } catch (error) {
        // One subscriber's failure must not keep the event from the others.
        this.logger.error('listener failed', { sessionId: event.sessionId, error: String(error) });
      }
    }
  }

  /** After a Redis reconnect: deliver whatever was stored while the subscriber was away. */
  private resyncAll(): void {
    for (const [sessionId, channel] of this.channels) {
      channel.chain = channel.chain
        .then(async () => {
          const latest = await this.source.lastSeq(sessionId);
          if (latest > channel.lastSeq) await this.fillGap(sessionId, channel, latest);
        })
        .catch((error: unknown) => this.logger.error('resync failed', { sessionId, error: String(error) }));
    }
  }
}

function rememberDeletion(channel: Channel, messageId: string): void {
  channel.deleted ??= new Set();
  channel.deleted.add(messageId);
  if (channel.deleted.size > RECENT_DELETIONS) {
    for (const oldest of channel.deleted) {
      channel.deleted.delete(oldest);
      break;
    }
  }
}
