/**
 * The send's raw statement (src/repositories/message-insert.ts) on each database: it returns
 * the row as Prisma reads it (same types, database defaults filled in), stores metadata text
 * exactly, claims seq = lastSeq + 1 and bumps the session, refuses a full session without
 * writing, and reports a taken clientMessageId as DuplicateClientMessageId with nothing
 * changed, also when it shares its turn with other sends. On SQLite, a send arriving while
 * one of Prisma's interactive transactions is open on the shared connection waits for it
 * instead of running inside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, MessageRole, type PrismaClient } from '../../src/db/prisma-client.ts';
import { parseDatabaseUrl } from '../../src/db/database-target.ts';
import { createMessageRepository, DuplicateClientMessageId, type NewMessage } from '../../src/repositories/message.repository.ts';
import { freshDatabase, testedProviders } from '../support/server.ts';

describe.each(testedProviders())('the send statement on %s', (provider) => {
  let prisma: PrismaClient;
  let drop: () => Promise<void>;
  let counter = 0;

  beforeAll(async () => {
    const db = await freshDatabase(provider);
    drop = db.drop;
    prisma = await createPrismaClient(parseDatabaseUrl(db.url));
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await drop();
  });

  const newSession = async () => {
    counter += 1;
    const id = `session-${counter}`;
    await prisma.chatSession.create({ data: { id, ownerId: 'owner', lastActivityAt: new Date('2020-01-01T00:00:00Z') } });
    return id;
  };
  const message = (sessionId: string, extra: Partial<NewMessage> = {}): NewMessage => {
    counter += 1;
    return {
      id: `message-${counter}`,
      sessionId,
      role: MessageRole.USER,
      content: `content ${counter}`,
      metadata: null,
      authorId: 'owner',
      clientMessageId: null,
      timestamp: new Date('2024-05-06T07:08:09.123Z'),
      ...extra,
    };
  };

  it('returns exactly what Prisma reads back, and bumps the session', async () => {
    const sessionId = await newSession();
    const repository = createMessageRepository(prisma);
    const metadata = JSON.parse('{"__proto__":{"x":1},"$type":"Json","n":[1,2.5,null],"s":"é"}') as NonNullable<NewMessage['metadata']>;
    const stored = await repository.insert(message(sessionId, { metadata, clientMessageId: 'c-1' }), 10);
    expect(stored).not.toBeNull();
    const read = await prisma.conversationMessage.findUniqueOrThrow({ where: { id: stored!.id } });
    expect(stored).toEqual(read);
    expect(Object.keys(stored!)).toEqual(Object.keys(read));
    expect(stored!.timestamp).toBeInstanceOf(Date);
    expect(stored!.timestamp.toISOString()).toBe('2024-05-06T07:08:09.123Z');
    expect(stored!.editedAt).toBeNull();
    expect(stored!.seq).toBe(1);
    expect(Object.keys(stored!.metadata as object)).toContain('__proto__');
    const session = await prisma.chatSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session).toMatchObject({ lastSeq: 1, messageCount: 1, lastActivityAt: new Date('2024-05-06T07:08:09.123Z') });
  });

  it('stores the metadata text exactly as serialized', async () => {
    if (provider !== 'sqlite') return; // PostgreSQL's jsonb keeps values, not text
    const sessionId = await newSession();
    const metadata = JSON.parse('{"b":1,"a":{"__proto__":"p"}}') as NonNullable<NewMessage['metadata']>;
    const stored = await createMessageRepository(prisma).insert(message(sessionId, { metadata }), 10);
    const [row] = await prisma.$queryRawUnsafe<{ metadata: string }[]>(
      'SELECT CAST("metadata" AS TEXT) AS metadata FROM "ConversationMessage" WHERE id = ?',
      stored!.id,
    );
    expect(row!.metadata).toBe('{"b":1,"a":{"__proto__":"p"}}');
  });

  it('opens a STREAMING reply with the same write: its streamedAt is its timestamp, a plain send has none', async () => {
    const sessionId = await newSession();
    const repository = createMessageRepository(prisma);
    const sent = await repository.insert(message(sessionId), 10);
    const reply = await repository.insert(message(sessionId, { content: '', role: MessageRole.ASSISTANT }), 10, 'STREAMING');
    expect(sent).toMatchObject({ seq: 1, status: 'COMPLETE', streamedAt: null, streamChunks: 0 });
    expect(reply).toMatchObject({ seq: 2, status: 'STREAMING', streamedAt: new Date('2024-05-06T07:08:09.123Z'), streamChunks: 0 });
    expect(reply).toEqual(await prisma.conversationMessage.findUniqueOrThrow({ where: { id: reply!.id } }));
  });

  it('hands out lastSeq + 1 and refuses a full session without writing', async () => {
    const sessionId = await newSession();
    const repository = createMessageRepository(prisma);
    const seqs = await Promise.all(Array.from({ length: 5 }, () => repository.insert(message(sessionId), 3)));
    expect(seqs.map((stored) => stored?.seq ?? null).sort()).toEqual([1, 2, 3, null, null]);
    const session = await prisma.chatSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session).toMatchObject({ lastSeq: 3, messageCount: 3 });
    expect(await prisma.conversationMessage.count({ where: { sessionId } })).toBe(3);
    expect(await repository.insert(message('no-such-session'), 3)).toBeNull();
  });

  it('reports a taken clientMessageId and changes nothing', async () => {
    const sessionId = await newSession();
    const repository = createMessageRepository(prisma);
    await repository.insert(message(sessionId, { clientMessageId: 'same' }), 10);
    await expect(repository.insert(message(sessionId, { clientMessageId: 'same' }), 10)).rejects.toBeInstanceOf(DuplicateClientMessageId);
    const session = await prisma.chatSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session).toMatchObject({ lastSeq: 1, messageCount: 1 });
    expect((await repository.insert(message(sessionId), 10))?.seq).toBe(2);
  });

  it('in one turn, a taken clientMessageId fails alone: the other sends are stored with gap-free seqs', async () => {
    const sessionId = await newSession();
    const repository = createMessageRepository(prisma);
    // Started together: on SQLite they share the turn's transaction, the duplicate in a savepoint of its own.
    const results = await Promise.allSettled([
      repository.insert(message(sessionId, { clientMessageId: 'twice' }), 10),
      repository.insert(message(sessionId, { clientMessageId: 'twice' }), 10),
      repository.insert(message(sessionId, { content: 'third' }), 10),
    ]);
    // Which of the two with the same id wins is the database's to decide (PostgreSQL runs them side by side).
    const twice = results.slice(0, 2);
    expect(twice.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(twice.find((result) => result.status === 'rejected')).toMatchObject({ reason: expect.any(DuplicateClientMessageId) });
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { content: 'third' } });
    const seqs = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value?.seq] : []));
    expect(seqs.sort()).toEqual([1, 2]);
    const session = await prisma.chatSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session).toMatchObject({ lastSeq: 2, messageCount: 2 });
    expect(await prisma.conversationMessage.count({ where: { sessionId } })).toBe(2);
  });

  it('waits for an interactive transaction open on the connection instead of joining it', async () => {
    const sessionId = await newSession();
    const repository = createMessageRepository(prisma);
    await repository.insert(message(sessionId), 10);
    let send: Promise<unknown> | undefined;
    await prisma
      .$transaction(async (tx) => {
        await tx.chatSession.update({ where: { id: sessionId }, data: { title: 'rolled back' } });
        send = repository.insert(message(sessionId, { content: 'during' }), 10);
        // Give the send every chance to run now; it must not land inside this transaction.
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('roll back');
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error) || error.message !== 'roll back') throw error;
      });
    await send;
    const messages = await prisma.conversationMessage.findMany({ where: { sessionId }, orderBy: { seq: 'asc' } });
    expect(messages.map((stored) => [stored.seq, stored.content])).toEqual([
      [1, expect.any(String)],
      [2, 'during'],
    ]);
    const session = await prisma.chatSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session).toMatchObject({ title: null, lastSeq: 2, messageCount: 2 });
  });

  // Last: it changes the table. A column added by a migration while the server runs comes
  // back filled with its default, through statements prepared before the change.
  it('returns a column added after the statement was prepared, with its default', async () => {
    const sessionId = await newSession();
    const repository = createMessageRepository(prisma);
    await repository.insert(message(sessionId), 10);
    await prisma.$executeRawUnsafe(`ALTER TABLE "ConversationMessage" ADD COLUMN "addedLater" TEXT NOT NULL DEFAULT 'COMPLETE'`);
    const stored = (await repository.insert(message(sessionId), 10)) as unknown as Record<string, unknown>;
    expect(stored).toMatchObject({ seq: 2, addedLater: 'COMPLETE' });
  });
});
