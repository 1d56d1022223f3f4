/**
 * The history page's raw statements (src/repositories/history-page-read.ts) on each
 * database: every page shape returns exactly the rows Prisma's findMany returns (same keys
 * in the same order, same types, same values, oldest first), with every column filled in,
 * and the raw statement is what runs for a page of plain fields (its SQL reaches the query
 * listener); a page that includes a relation still goes through Prisma and loads it.
 */
import { describe, expect, it } from 'vitest';
import { MessageRole, MessageStatus, type ConversationMessage } from '../../src/db/prisma-client.ts';
import { createHistoryRepository } from '../../src/repositories/history.repository.ts';
import type { MessagePageQuery } from '../../src/repositories/message.repository.ts';
import { useFreshPrisma } from '../support/fresh-prisma.ts';
import { testedProviders } from '../support/server.ts';

describe.each(testedProviders())('the history page statement on %s', (provider) => {
  const sessionId = 'history-session';
  const db = useFreshPrisma(provider, async (prisma) => {
    await prisma.chatSession.create({ data: { id: sessionId, ownerId: 'owner', title: 'pages', lastSeq: 12, messageCount: 12 } });
    for (let seq = 1; seq <= 12; seq++) {
      await prisma.conversationMessage.create({
        data: {
          id: `m-${seq}`,
          sessionId,
          seq,
          role: seq % 3 === 0 ? MessageRole.ASSISTANT : MessageRole.USER,
          content: `content ${seq} é`,
          authorId: `author-${seq % 2}`,
          timestamp: new Date(Date.UTC(2024, 4, 6, 7, 8, seq, 123)),
          // Every column type in both its null and its set form.
          ...(seq % 2 === 0
            ? {
                metadata: { x: seq, n: [1, 2.5, null], s: 'é' },
                editedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)),
                clientMessageId: `c-${seq}`,
                status: MessageStatus.STREAMING,
                finishReason: 'length',
                streamChunks: seq * 7,
                streamedAt: new Date(Date.UTC(2025, 1, 2, 3, 4, seq, 5)),
              }
            : {}),
        },
      });
    }
    // Prisma's writes drop an own `__proto__` key; the send's raw insert keeps it, so pages must read it back.
    const protoJson = '{"__proto__":{"x":6},"n":[1,2.5,null],"s":"é"}';
    await prisma.$executeRawUnsafe(
      provider === 'postgresql'
        ? `UPDATE "ConversationMessage" SET "metadata" = $1::jsonb WHERE "id" = 'm-6'`
        : `UPDATE "ConversationMessage" SET "metadata" = ? WHERE "id" = 'm-6'`,
      protoJson,
    );
  });
  const { queries } = db;

  const cursorAt = (seq: number) => ({ sessionId_seq: { sessionId, seq } });
  const history = () => createHistoryRepository(db.prisma);

  /** What Prisma's own cursor pagination returns for the same arguments (the reference). */
  const prismaPage = (query: MessagePageQuery) =>
    db.prisma.conversationMessage.findMany({ ...query, where: { sessionId }, orderBy: { seq: 'asc' } }) as Promise<ConversationMessage[]>;

  const expectSameRows = (raw: ConversationMessage[], reference: ConversationMessage[]) => {
    expect(raw).toEqual(reference);
    expect(raw.map((row) => Object.keys(row))).toEqual(reference.map((row) => Object.keys(row)));
    raw.forEach((row, i) => {
      for (const [key, value] of Object.entries(reference[i]!)) {
        expect(typeof row[key as keyof ConversationMessage], key).toBe(typeof value);
        if (value instanceof Date) expect(row[key as keyof ConversationMessage], key).toBeInstanceOf(Date);
      }
    });
  };

  it.each<[string, MessagePageQuery]>([
    ['the newest page', { take: -5 }],
    ['the newest page after skipped ones', { take: -4, skip: 3 }],
    ['the oldest page', { take: 5 }],
    ['the oldest page after skipped ones', { take: 3, skip: 2 }],
    ['the page before a cursor', { take: -4, skip: 1, cursor: cursorAt(9) }],
    ['the page after a cursor', { take: 4, skip: 1, cursor: cursorAt(3) }],
    ['the page from a cursor, itself included', { take: 3, cursor: cursorAt(6) }],
    ['a page past the end', { take: 5, skip: 1, cursor: cursorAt(11) }],
    ['a page with an empty include', { take: -3, include: {} }],
  ])('returns what Prisma returns for %s, through the prepared statement', async (_name, query) => {
    queries.length = 0;
    const raw = await history().connectionPage(sessionId, query);
    const ran = [...queries];
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatch(/^SELECT \* FROM "ConversationMessage"/);
    expect(raw.length).toBeGreaterThan(0);
    expectSameRows(raw, await prismaPage(query));
  });

  it('reads a row of every column as Prisma does (dates, JSON with __proto__, nulls)', async () => {
    const [odd, even] = await history().connectionPage(sessionId, { take: 2, cursor: cursorAt(5) });
    expect(even!.metadata).toEqual(JSON.parse('{"__proto__":{"x":6},"n":[1,2.5,null],"s":"é"}'));
    expect(Object.keys(even!.metadata as object)).toContain('__proto__');
    expect(even!.streamedAt!.toISOString()).toBe('2025-02-02T03:04:06.005Z');
    expect(even!.streamChunks).toBe(42);
    expect(odd).toMatchObject({ metadata: null, editedAt: null, clientMessageId: null, status: MessageStatus.COMPLETE, streamChunks: 0 });
  });

  it('loads an included relation through Prisma, in one query per relation', async () => {
    queries.length = 0;
    const query: MessagePageQuery = { take: -4, skip: 1, cursor: cursorAt(9), include: { session: true } };
    const page = (await history().connectionPage(sessionId, query)) as (ConversationMessage & { session: { title: string } })[];
    expect(page.map((row) => row.seq)).toEqual([5, 6, 7, 8]);
    expect(page.every((row) => row.session.title === 'pages')).toBe(true);
    expect(queries.length).toBeLessThanOrEqual(2);
    expect(queries.some((sql) => sql.startsWith('SELECT * FROM'))).toBe(false);
    expect(page).toEqual(await prismaPage(query));
  });

  it('answers no page next to a cursor whose message is gone, as Prisma does', async () => {
    expect(await history().connectionPage(sessionId, { take: -3, skip: 1, cursor: cursorAt(40) })).toEqual([]);
    expect(await prismaPage({ take: -3, skip: 1, cursor: cursorAt(40) })).toEqual([]);
  });
});
