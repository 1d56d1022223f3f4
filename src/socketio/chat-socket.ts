/**
 * One Socket.IO connection on the legacy namespace: the old gateway's events mapped onto the
 * services. Events of a socket run one at a time in arrival order (a `send_message` right after
 * `join_session` sends to the session just joined), each in its own correlation scope and
 * inside containment: whatever a client sends, or a service throws, becomes an `error` event
 * for that socket and never reaches the process.
 */
import type { Socket } from 'socket.io';
import type { Principal } from '../auth/principal.ts';
import type { LimitsConfig } from '../config.ts';
import { badInput, rateLimited, unauthenticated } from '../errors.ts';
import type { MaskError } from '../graphql/mask-error.ts';
import { correlationIdFrom, runWithCorrelationId, noteUserId } from '../observability/correlation.ts';
import type { Logger } from '../observability/logger.ts';
import type { Services } from '../services/index.ts';
import type { Watcher } from '../services/message-stream.service.ts';
import { parseJoin, parseSend, parseSessionInfo, parseTyping } from './client-payloads.ts';
import { envelope, errorEnvelope, type Envelope } from './envelope.ts';
import { joinSession, type JoinedSession } from './joined-session.ts';
import { messageData, sessionInfoData } from './wire-shapes.ts';

export interface ChatSocketDeps {
  services: Services;
  maskError: MaskError;
  logger: Logger;
  limits: LimitsConfig;
  /** SUBSCRIBER_MAX_QUEUE: packets a socket may leave unsent before it is cut off (it reconnects and joins again). */
  maxQueuedEvents: number;
}

/** Messages in `session_joined.recentMessages` (at most MAX_PAGE_SIZE). */
export const RECENT_ON_JOIN = 50;
/** Events a socket may have waiting for their turn; beyond that they are refused with RATE_LIMITED. */
const MAX_PENDING_EVENTS = 32;
/** setTimeout caps at ~24.8 days; a later expiry is re-armed when that fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Ack = (reply: unknown) => void;

export class ChatSocket {
  private joined: JoinedSession | null = null;
  /** Whether this socket last said isTyping: true in the joined session (hidden again on leave). */
  private typingShown = false;
  private turn: Promise<void> = Promise.resolve();
  private pending = 0;
  private closed = false;
  private expiryTimer: NodeJS.Timeout | null = null;
  private readonly watcher: Watcher;

  constructor(
    private readonly socket: Socket,
    private readonly principal: Principal,
    private readonly deps: ChatSocketDeps,
  ) {
    // The socket is disconnected at token expiry, so its streams need no timer of their own.
    this.watcher = { principal, transportEndsOnExpiry: true };
    socket.onAny((event: unknown, ...args: unknown[]) => this.contain(() => this.receive(event, args)));
    socket.on('disconnect', () => this.contain(() => this.dispose()));
    this.scheduleExpiry();
    this.emit(envelope('connected', { userId: principal.userId, socketId: socket.id }));
  }

  /** Queues one client event behind the socket's earlier ones. */
  private receive(event: unknown, args: unknown[]): void {
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (args.pop() as Ack) : undefined;
    const name = typeof event === 'string' ? event : String(event);
    if (this.pending >= MAX_PENDING_EVENTS) {
      const refusal = rateLimited(`Too many events waiting on this connection (at most ${MAX_PENDING_EVENTS}); slow down`, {
        retryAfterSeconds: 1,
        limit: MAX_PENDING_EVENTS,
      });
      this.answerFailure(refusal, name, ack);
      return;
    }
    this.pending += 1;
    this.turn = this.turn
      .then(() => this.run(name, args[0], ack))
      .catch((error: unknown) => this.deps.logger.error('Socket.IO event failed', { error: describe(error) }))
      .finally(() => {
        this.pending -= 1;
      });
  }

  private run(name: string, payload: unknown, ack: Ack | undefined): Promise<void> {
    return runWithCorrelationId(correlationIdFrom(undefined), async () => {
      noteUserId(this.principal.userId);
      try {
        const reply = await this.dispatch(name, payload);
        if (ack) this.contain(() => ack(reply ?? null));
      } catch (error) {
        this.answerFailure(error, name, ack);
      }
    });
  }

  /** Runs one event; resolves with what its ack receives (the event's answer, when it has one). */
  private async dispatch(name: string, payload: unknown): Promise<Envelope | undefined> {
    if (this.closed) return undefined;
    switch (name) {
      case 'join_session':
        return this.join(parseJoin(payload).sessionId);
      case 'send_message': {
        const input = parseSend(payload);
        const { message } = await this.deps.services.messages.send(this.principal, this.requireJoined('send_message'), input);
        return envelope('message_received', messageData(message));
      }
      case 'typing': {
        const { isTyping } = parseTyping(payload);
        const sessionId = this.requireJoined('typing');
        await this.deps.services.typing.setTyping(this.principal, sessionId, isTyping);
        this.typingShown = isTyping;
        return undefined;
      }
      case 'leave_session':
        await this.leave();
        return undefined;
      case 'get_session_info': {
        const sessionId = parseSessionInfo(payload).sessionId ?? this.requireJoined('get_session_info');
        const info = await sessionInfoData(await this.deps.services.sessions.info(this.principal, sessionId));
        const reply = envelope('session_info', info);
        this.emit(reply);
        return reply;
      }
      default:
        throw badInput(`Unknown event "${name.slice(0, 64)}"; see the Socket.IO section of the README`);
    }
  }

  private async join(sessionId: string): Promise<Envelope | undefined> {
    const recentLimit = Math.min(RECENT_ON_JOIN, this.deps.limits.maxPageSize);
    const joined = await joinSession(this.deps.services, this.watcher, sessionId, recentLimit);
    if (this.closed) {
      joined.close();
      return undefined;
    }
    // The previous session is left only once the new one is authorized and open.
    await this.leave();
    this.joined = joined;
    const reply = envelope('session_joined', { sessionId, recentMessages: joined.recentMessages.map(messageData) });
    this.emit(reply);
    joined.start({
      message: (event) => this.emit(envelope('message_received', messageData(event.message))),
      typing: (event) => this.emit(envelope('typing_indicator', { sessionId, userId: event.userId, isTyping: event.isTyping })),
      failed: (error) =>
        this.contain(() => {
          if (this.joined === joined) this.joined = null;
          this.answerFailure(error, undefined, undefined);
        }),
    });
    return reply;
  }

  /** Leaves the joined session, hiding this socket's typing indicator there. */
  private async leave(): Promise<void> {
    const joined = this.joined;
    if (!joined) return;
    this.joined = null;
    joined.close();
    if (!this.typingShown) return;
    this.typingShown = false;
    await this.deps.services.typing.setTyping(this.principal, joined.sessionId, false).catch((error: unknown) => {
      this.deps.logger.debug('could not hide a typing indicator on leave', { error: String(error) });
    });
  }

  private requireJoined(event: string): string {
    if (this.joined) return this.joined.sessionId;
    throw badInput(`${event} needs a joined session: send join_session { sessionId } first`);
  }

  private answerFailure(error: unknown, event: string | undefined, ack: Ack | undefined): void {
    const reply = errorEnvelope(this.deps.maskError, error, event);
    this.emit(reply);
    if (ack) this.contain(() => ack(reply));
  }

  /** Emits to this socket; one that leaves too much unsent is cut off (it reconnects and joins again). */
  private emit(reply: Envelope): void {
    if (this.closed) return;
    const unsent = (this.socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer;
    if (Array.isArray(unsent) && unsent.length >= this.deps.maxQueuedEvents) {
      this.deps.logger.warn('Socket.IO client is not reading fast enough; closing its connection', { userId: this.principal.userId });
      this.socket.conn.close();
      return;
    }
    this.socket.emit(reply.type, reply);
  }

  private scheduleExpiry(): void {
    const { expiresAt } = this.principal;
    if (expiresAt === null) return;
    const delay = Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS);
    this.expiryTimer = setTimeout(
      () =>
        this.contain(() => {
          if (expiresAt > Date.now()) return this.scheduleExpiry();
          this.answerFailure(unauthenticated('Token expired; connect again with a fresh token'), undefined, undefined);
          this.socket.disconnect(true);
        }),
      delay,
    );
    this.expiryTimer.unref();
  }

  private dispose(): void {
    if (this.closed) return;
    void this.leave().catch(() => {});
    this.closed = true;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    (this.socket.data as { releaseSlot?: () => void }).releaseSlot?.();
  }

  /** Runs `work`; anything it throws is logged and ends this socket, never the process. */
  private contain(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.deps.logger.error('Socket.IO handler failed', { error: describe(error) });
      try {
        this.socket.disconnect(true);
      } catch {
        // Already gone.
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
