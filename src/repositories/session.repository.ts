/** Every Prisma call for sessions and their participants. */
import type { ChatSession, Prisma, PrismaClient } from '../db/prisma-client.ts';

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
      return (await prisma.chatSession.findUnique({ ...query, where: { id } })) as ChatSession | null;
    },

    /** The session when `userId` participates in it, otherwise null. */
    async findForParticipant(
      id: string,
      userId: string,
      query: Pick<SessionQuery, 'include' | 'select'> = {},
    ): Promise<ChatSession | null> {
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
