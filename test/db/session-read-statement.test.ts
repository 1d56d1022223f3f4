/**
 * The `session` field's raw read (src/repositories/session-participant-read.ts) on each
 * database: for a participant it returns exactly the row Prisma's findFirst returns (same
 * keys in the same order, same types, same values) through the prepared statement (its SQL
 * reaches the query listener); for anyone else, or a missing session, null; a selection
 * with a relation still goes through Prisma and loads it.
 */
import { describe, expect, it } from 'vitest';
import type { ChatSession } from '../../src/db/prisma-client.ts';
import { createSessionRepository } from '../../src/repositories/session.repository.ts';
import { useFreshPrisma } from '../support/fresh-prisma.ts';
import { testedProviders } from '../support/server.ts';

describe.each(testedProviders())('the session read statement on %s', (provider) => {
  const db = useFreshPrisma(provider, async (prisma) => {
    await prisma.chatSession.create({
      data: {
        id: 'titled',
        ownerId: 'owner',
        title: 'é titled',
        createdAt: new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123)),
        lastActivityAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6)),
        lastSeq: 12,
        messageCount: 9,
        participants: { create: [{ userId: 'owner' }, { userId: 'guest' }] },
      },
    });
    await prisma.chatSession.create({ data: { id: 'untitled', ownerId: 'owner', participants: { create: [{ userId: 'owner' }] } } });
  });
  const { queries } = db;

  const sessions = () => createSessionRepository(db.prisma);
  const reference = (id: string, userId: string) => sessions().findForParticipant(id, userId);

  it.each([
    ['a session with every column set', 'titled', 'guest'],
    ['a session with defaults and no title', 'untitled', 'owner'],
  ])('returns what Prisma returns for %s, through the prepared statement', async (_name, id, userId) => {
    queries.length = 0;
    const raw = await sessions().readForParticipant(id, userId);
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatch(/^SELECT s\.\* FROM "ChatSession"/);
    const expected = await reference(id, userId);
    expect(expected).not.toBeNull();
    expect(raw).toEqual(expected);
    expect(Object.keys(raw!)).toEqual(Object.keys(expected!));
    for (const [key, value] of Object.entries(expected!)) {
      expect(typeof raw![key as keyof ChatSession], key).toBe(typeof value);
      if (value instanceof Date) expect(raw![key as keyof ChatSession], key).toBeInstanceOf(Date);
    }
  });

  it('answers null for a user who is not a participant, and for a missing session', async () => {
    expect(await sessions().readForParticipant('titled', 'stranger')).toBeNull();
    expect(await sessions().readForParticipant('untitled', 'guest')).toBeNull();
    expect(await sessions().readForParticipant('missing', 'owner')).toBeNull();
  });

  it('loads a selected relation through Prisma', async () => {
    queries.length = 0;
    const loaded = (await sessions().readForParticipant('titled', 'guest', { include: { participants: true } })) as ChatSession & {
      participants: { userId: string }[];
    };
    expect(loaded.participants.map((p) => p.userId).sort()).toEqual(['guest', 'owner']);
    expect(queries.some((sql) => sql.startsWith('SELECT s.* FROM'))).toBe(false);
  });
});
