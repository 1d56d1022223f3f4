/**
 * The session lookup's raw statements (src/repositories/session-read.ts) on each database:
 * the row equals Prisma's (keys in order, types, values), the participant check matches
 * Prisma's `participants: { some }`, and a selection with a relation still goes through Prisma.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/db/database-target.ts';
import { createPrismaClient, type PrismaClient } from '../../src/db/prisma-client.ts';
import { createSessionRepository } from '../../src/repositories/session.repository.ts';
import { freshDatabase, testedProviders } from '../support/server.ts';

describe.each(testedProviders())('the session lookup statement on %s', (provider) => {
  const queries: string[] = [];
  let prisma: PrismaClient;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshDatabase(provider);
    drop = db.drop;
    prisma = await createPrismaClient(parseDatabaseUrl(db.url), (sql) => queries.push(sql));
    const at = new Date('2024-05-06T07:08:09.123Z');
    await createSessionRepository(prisma).create({
      id: 's-1',
      title: 'é title',
      ownerId: 'owner',
      participantIds: ['owner', 'guest'],
      now: at,
    });
    await prisma.chatSession.update({
      where: { id: 's-1' },
      data: { lastSeq: 7, messageCount: 5, lastActivityAt: new Date('2025-01-02T03:04:05.678Z') },
    });
    await createSessionRepository(prisma).create({ id: 's-2', title: null, ownerId: 'other', participantIds: ['other'], now: at });
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await drop();
  });

  it.each([
    ['s-1', 'guest'],
    ['s-2', 'other'],
  ])('reads session %s for participant %s as Prisma does, through the prepared statement', async (id, userId) => {
    queries.length = 0;
    const raw = await createSessionRepository(prisma).findForParticipant(id, userId, { include: {} });
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatch(/^SELECT \* FROM "ChatSession"/);
    const reference = await prisma.chatSession.findFirst({ where: { id, participants: { some: { userId } } } });
    expect(raw).toEqual(reference);
    expect(Object.keys(raw!)).toEqual(Object.keys(reference!));
    expect(raw!.createdAt).toBeInstanceOf(Date);
    expect(raw!.lastActivityAt).toBeInstanceOf(Date);
    expect(await createSessionRepository(prisma).findById(id)).toEqual(reference);
  });

  it('finds no session for a user outside it, nor a missing one', async () => {
    const sessions = createSessionRepository(prisma);
    expect(await sessions.findForParticipant('s-1', 'other')).toBeNull();
    expect(await sessions.findForParticipant('missing', 'owner')).toBeNull();
    expect(await sessions.findById('missing')).toBeNull();
  });

  it('loads a selected relation through Prisma', async () => {
    queries.length = 0;
    const found = (await createSessionRepository(prisma).findForParticipant('s-1', 'owner', {
      include: { participants: { orderBy: { userId: 'asc' } } },
    })) as { participants: { userId: string }[] } | null;
    expect(found!.participants.map((p) => p.userId)).toEqual(['guest', 'owner']);
    expect(queries.some((sql) => sql.startsWith('SELECT * FROM'))).toBe(false);
  });
});
