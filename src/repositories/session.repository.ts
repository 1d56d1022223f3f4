/** Every Prisma call for sessions and their participants. */
import { queryListenerFor, rawDriverFor, type ChatSession, type Prisma, type PrismaClient } from '../db/prisma-client.ts';
import { scalarsOnly } from './prisma-selection.ts';
import { createFindSession, type FindSession } from './session-read.ts';

/** The part of a Prisma query that Pothos plans from the client's selection. */
export type SessionQuery = Pick<Prisma.ChatSessionFindManyArgs, 'include' | 'select' | 'take' | 'skip' | 'cursor'>;

export interface NewSession {
  id: string;
  title: string | null;
  ownerId: string;
  participantIds: string[];
  now: Date;
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;

export function createSessionRepository(prisma: PrismaClient) {
  let rawFind: Promise<FindSession> | undefined;
  /** The session's row through the prepared statement (session-read.ts): only for a selection of every scalar. */
  const findRaw = (id: string, participantId: string | undefined) => {
    rawFind ??= rawDriverFor(prisma).then((driver) => createFindSession(driver, queryListenerFor(prisma)));
    return rawFind.then((find) => find(id, participantId));
  };
  return {
    async create(session: NewSession): Promise<ChatSession> {
      return prisma.chatSession.create({
        data: {
          id: session.id,
          title: session.title,
          ownerId: session.ownerId,
          createdAt: session.now,
          lastActivityAt: session.now,
          participants: {
            create: session.participantIds.map((userId) => ({ userId, joinedAt: session.now })),
          },
        },
      });
    },

    async findById(id: string, query: Pick<SessionQuery, 'include' | 'select'> = {}): Promise<ChatSession | null> {
      if (scalarsOnly(query)) return findRaw(id, undefined);
      return (await prisma.chatSession.findUnique({ ...query, where: { id } })) as ChatSession | null;
    },

    /** The session when `userId` participates in it, otherwise null. */
    async findForParticipant(
      id: string,
      userId: string,
      query: Pick<SessionQuery, 'include' | 'select'> = {},
    ): Promise<ChatSession | null> {
      if (scalarsOnly(query)) return findRaw(id, userId);
      return (await prisma.chatSession.findFirst({
        ...query,
        where: { id, participants: { some: { userId } } },
      })) as ChatSession | null;
    },

    /** Highest seq handed out in the session (0 when none or when the session is gone). */
    async lastSeq(id: string): Promise<number> {
      const row = await prisma.chatSession.findUnique({ where: { id }, select: { lastSeq: true } });
      return row?.lastSeq ?? 0;
    },

    /** The user's sessions, newest activity first (Pothos adds cursor/take/skip). */
    async listForUser(userId: string, query: SessionQuery): Promise<ChatSession[]> {
      return (await prisma.chatSession.findMany({
        ...query,
        where: { participants: { some: { userId } } },
        orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
      })) as ChatSession[];
    },

    /** Adds a participant; adding one who is already there changes nothing. */
    async addParticipant(sessionId: string, userId: string, now: Date): Promise<void> {
      await prisma.sessionParticipant.upsert({
        where: { sessionId_userId: { sessionId, userId } },
        create: { sessionId, userId, joinedAt: now },
        update: {},
      });
    },
  };
}
