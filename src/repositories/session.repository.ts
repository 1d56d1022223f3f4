/** Every Prisma call for sessions and their participants. */
import { queryListenerFor, rawDriverFor, type ChatSession, type Prisma, type PrismaClient } from '../db/prisma-client.ts';
import { createReadParticipantSession, type ReadParticipantSession } from './session-participant-read.ts';
import { selectsEveryScalarOnly } from './scalar-selection.ts';

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
  let rawRead: Promise<ReadParticipantSession> | undefined;

  /** The session when `userId` participates in it, otherwise null. */
  async function findForParticipant(
    id: string,
    userId: string,
    query: Pick<SessionQuery, 'include' | 'select'> = {},
  ): Promise<ChatSession | null> {
    return (await prisma.chatSession.findFirst({
      ...query,
      where: { id, participants: { some: { userId } } },
    })) as ChatSession | null;
  }

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

    findForParticipant,

    /**
     * findForParticipant for the `session` field's hot read: through one prepared statement
     * when the selection is every scalar and no relation, through Prisma otherwise (so a
     * selected relation is still loaded with the session). Not used on the send path, whose
     * lookup stays Prisma's (its trace shows that database span).
     */
    async readForParticipant(
      id: string,
      userId: string,
      query: Pick<SessionQuery, 'include' | 'select'> = {},
    ): Promise<ChatSession | null> {
      if (!selectsEveryScalarOnly(query)) return findForParticipant(id, userId, query);
      rawRead ??= rawDriverFor(prisma).then((driver) => createReadParticipantSession(driver, queryListenerFor(prisma)));
      return (await rawRead)(id, userId);
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
