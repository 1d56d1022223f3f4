/** Sessions: creation, membership and visibility rules. */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import type { ChatSession, SessionParticipant } from '../db/prisma-client.ts';
import { badInput, forbidden, notFound } from '../errors.ts';
import type { RealtimePort } from '../realtime/port.ts';
import type { SessionQuery, SessionRepository } from '../repositories/session.repository.ts';
import { checkSessionCursor } from './cursor-rules.ts';
import { assertUsableId, isUsableUserId } from './id-rules.ts';

const MAX_TITLE_LENGTH = 200;
const MAX_PARTICIPANTS_AT_CREATION = 100;

export interface CreateSessionInput {
  title?: string | null;
  participantIds?: readonly string[] | null;
}

export interface SessionInfo {
  session: ChatSession;
  participants: SessionParticipant[];
  messageCount: number;
  /** Users with an open subscription to the session right now (read only when asked for). */
  connectedUserIds: () => Promise<string[]>;
}

export type SessionService = ReturnType<typeof createSessionService>;

const PARTICIPATION_CACHE_MS = 60_000;
const PARTICIPATION_CACHE_SIZE = 50_000;

export interface SessionServiceDeps {
  sessions: SessionRepository;
  /** Presence (the real-time layer). */
  presence: Pick<RealtimePort, 'connectedUsers'>;
}

export function createSessionService({ sessions, presence }: SessionServiceDeps) {
  const participationCache = new Map<string, number>();
  const participationKey = (principal: Principal, sessionId: string) =>
    `${principal.isService ? 's' : 'u'}\u0000${principal.userId}\u0000${sessionId}`;

  /** Remembers a yes for requireParticipation. Participants are never removed, so it cannot go stale. */
  function rememberParticipation(principal: Principal, sessionId: string): void {
    if (participationCache.size >= PARTICIPATION_CACHE_SIZE) participationCache.clear();
    participationCache.set(participationKey(principal, sessionId), Date.now() + PARTICIPATION_CACHE_MS);
  }

  /**
   * The session if the principal may use it. A session the user does not participate in
   * answers NOT_FOUND exactly like a missing one, so ids cannot be probed.
   * Service tokens may act on any existing session.
   */
  async function requireSession(
    principal: Principal,
    sessionId: string,
    query?: Pick<SessionQuery, 'include' | 'select'>,
  ): Promise<ChatSession> {
    return authorized(principal, sessionId, query, sessions.findForParticipant);
  }

  async function authorized(
    principal: Principal,
    sessionId: string,
    query: Pick<SessionQuery, 'include' | 'select'> | undefined,
    findForParticipant: SessionRepository['findForParticipant'],
  ): Promise<ChatSession> {
    assertUsableId('Session', sessionId);
    const session = principal.isService
      ? await sessions.findById(sessionId, query)
      : await findForParticipant(sessionId, principal.userId, query);
    if (!session) throw notFound('Session', sessionId);
    rememberParticipation(principal, sessionId);
    return session;
  }

  /** The session if the principal may manage it (owner, or a service token). */
  async function requireOwnedSession(principal: Principal, sessionId: string): Promise<ChatSession> {
    const session = await requireSession(principal, sessionId);
    if (!principal.isService && session.ownerId !== principal.userId) {
      throw forbidden('Only the owner of the session may do this');
    }
    return session;
  }

  return {
    requireSession,
    requireOwnedSession,

    /** requireSession for the `session` field, the first read of every history page: the repository's hot read. */
    readSession: (principal: Principal, sessionId: string, query?: Pick<SessionQuery, 'include' | 'select'>) =>
      authorized(principal, sessionId, query, sessions.readForParticipant),

    async create(principal: Principal, input: CreateSessionInput): Promise<ChatSession> {
      const title = input.title?.trim() || null;
      if (title && (title.length > MAX_TITLE_LENGTH || !title.isWellFormed() || title.includes('\u0000'))) {
        throw badInput(`title must be valid text of at most ${MAX_TITLE_LENGTH} characters`);
      }
      const others = input.participantIds ?? [];
      if (others.length > MAX_PARTICIPANTS_AT_CREATION) {
        throw badInput(`a session starts with at most ${MAX_PARTICIPANTS_AT_CREATION} participants`);
      }
      for (const id of others) checkUserId(id);
      const participantIds = [...new Set([principal.userId, ...others])];
      return sessions.create({ id: randomUUID(), title, ownerId: principal.userId, participantIds, now: new Date() });
    },

    async listForUser(principal: Principal, query: SessionQuery): Promise<ChatSession[]> {
      checkSessionCursor(query.cursor);
      const page = await sessions.listForUser(principal.userId, query);
      for (const session of page) rememberParticipation(principal, session.id);
      return page;
    },

    /** Adds a user to the session; only its owner (or a service) may. Idempotent. */
    async addParticipant(principal: Principal, sessionId: string, userId: string): Promise<ChatSession> {
      await requireOwnedSession(principal, sessionId);
      checkUserId(userId);
      await sessions.addParticipant(sessionId, userId, new Date());
      return requireSession(principal, sessionId);
    },

    /** The session with its participants and message count. */
    async info(principal: Principal, sessionId: string): Promise<SessionInfo> {
      const loaded = (await requireSession(principal, sessionId, {
        include: { participants: { orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }] } },
      })) as ChatSession & { participants: SessionParticipant[] };
      const { participants, ...session } = loaded;
      return {
        session,
        participants,
        messageCount: session.messageCount,
        connectedUserIds: () => presence.connectedUsers(session.id),
      };
    },

    /**
     * Like requireSession, for hot paths that only need a yes (typing at 2 Hz): a positive
     * answer is remembered briefly. Participants are never removed, so it cannot go stale.
     */
    async requireParticipation(principal: Principal, sessionId: string): Promise<void> {
      const until = participationCache.get(participationKey(principal, sessionId));
      if (until !== undefined && until > Date.now()) return;
      await requireSession(principal, sessionId);
    },
  };
}

function checkUserId(id: string): void {
  if (!isUsableUserId(id)) throw badInput('participant ids must be non-empty strings of at most 256 characters');
}
