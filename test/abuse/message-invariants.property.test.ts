/**
 * Property: any sequence of sends, edits, deletes and clears by several users, run
 * through the real services on SQLite, keeps the message invariants. A plain model
 * (what should be stored) is updated beside the real calls and compared after each step.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { loadConfig } from '../../src/config.ts';
import { createPrismaClient, type PrismaClient } from '../../src/db/prisma-client.ts';
import { isAppError } from '../../src/errors.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { freshDatabase } from '../support/server.ts';

const USERS = ['owner', 'bob', 'carol'] as const;
const CLIENT_IDS = ['c1', 'c2', 'c3'];

type Action =
  | { kind: 'send'; user: number; content: string; clientMessageId: string | null }
  | { kind: 'edit'; user: number; target: number; content: string }
  | { kind: 'delete'; user: number; target: number }
  | { kind: 'clear'; user: number };

const user = fc.integer({ min: 0, max: USERS.length - 1 });
const content = fc.string({ minLength: 1, maxLength: 12 }).map((text) => `m ${text}`);
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      user,
      content,
      clientMessageId: fc.option(fc.constantFrom(...CLIENT_IDS), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('edit' as const), user, target: fc.nat(), content }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), user, target: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), user }) },
);

interface ModelMessage {
  id: string;
  seq: number;
  authorId: string;
  content: string;
  clientMessageId: string | null;
}

/** What should be stored: live messages by id, every id ever created, the last seq handed out. */
interface Model {
  live: Map<string, ModelMessage>;
  everCreated: string[];
  lastSeq: number;
}

const principal = (index: number): Principal => ({ userId: USERS[index] ?? 'owner', isService: false, expiresAt: null });

/** Runs `work`; returns the error code it threw (or null when it succeeded). */
async function codeOf(work: () => Promise<unknown>): Promise<string | null> {
  try {
    await work();
    return null;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
}

async function step(services: Services, sessionId: string, model: Model, act: Action): Promise<void> {
  const caller = principal(act.user);
  if (act.kind === 'send') {
    const earlier = [...model.live.values()].find((message) => act.clientMessageId && message.clientMessageId === act.clientMessageId);
    if (earlier && earlier.authorId !== caller.userId) {
      expect(await codeOf(() => services.messages.send(caller, sessionId, act))).toBe('BAD_USER_INPUT');
      return;
    }
    const { message, created } = await services.messages.send(caller, sessionId, act);
    if (earlier) {
      // Idempotent: the same message comes back, nothing new is stored.
      expect([created, message.id, message.seq, message.content]).toEqual([false, earlier.id, earlier.seq, earlier.content]);
      return;
    }
    expect(created).toBe(true);
    expect(message.seq).toBe(model.lastSeq + 1);
    model.lastSeq = message.seq;
    model.everCreated.push(message.id);
    model.live.set(message.id, {
      id: message.id,
      seq: message.seq,
      authorId: caller.userId,
      content: act.content,
      clientMessageId: act.clientMessageId,
    });
    return;
  }
  if (act.kind === 'clear') {
    if (caller.userId !== 'owner') {
      expect(await codeOf(() => services.messages.clear(caller, sessionId))).toBe('FORBIDDEN');
      return;
    }
    expect(await services.messages.clear(caller, sessionId)).toBe(model.live.size);
    model.live.clear();
    return;
  }
  if (model.everCreated.length === 0) return;
  const id = model.everCreated[act.target % model.everCreated.length] as string;
  const target = model.live.get(id);
  const change =
    act.kind === 'edit' ? () => services.messages.update(caller, id, { content: act.content }) : () => services.messages.delete(caller, id);
  const expected = !target ? 'NOT_FOUND' : target.authorId !== caller.userId ? 'FORBIDDEN' : null;
  expect(await codeOf(change)).toBe(expected);
  if (expected || !target) return;
  if (act.kind === 'edit') target.content = act.content;
  else model.live.delete(id);
}

async function expectStoredMatchesModel(services: Services, sessionId: string, model: Model): Promise<void> {
  const owner = principal(0);
  const stored = await services.messages.list(owner, sessionId, 200, 0);
  const expected = [...model.live.values()].sort((a, b) => a.seq - b.seq);
  expect(stored.map((m) => [m.id, m.seq, m.authorId, m.content])).toEqual(expected.map((m) => [m.id, m.seq, m.authorId, m.content]));
  expect(await services.messages.count(owner, sessionId)).toBe(model.live.size);
  expect((await services.sessions.info(owner, sessionId)).messageCount).toBe(model.live.size);
  // seq strictly increases and none is above the last one handed out.
  for (const [i, message] of stored.entries()) if (i > 0) expect(message.seq).toBeGreaterThan(stored[i - 1]?.seq ?? 0);
  expect(Math.max(0, ...stored.map((m) => m.seq))).toBeLessThanOrEqual(model.lastSeq);
}

describe('message service invariants (property-based, SQLite)', () => {
  let prisma: PrismaClient;
  let services: Services;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await freshDatabase('sqlite');
    drop = database.drop;
    prisma = await createPrismaClient({ provider: 'sqlite', url: database.url });
    services = createServices({ prisma, limits: loadConfig({}).limits });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await drop?.();
  });

  it('keeps seq increasing and unused, counts exact, authorship and idempotency enforced', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 30 }), async (actions) => {
        const session = await services.sessions.create(principal(0), { participantIds: ['bob', 'carol'] });
        const model: Model = { live: new Map(), everCreated: [], lastSeq: 0 };
        for (const act of actions) {
          await step(services, session.id, model, act);
          expect(await services.messages.count(principal(1), session.id)).toBe(model.live.size);
        }
        await expectStoredMatchesModel(services, session.id, model);
      }),
      { numRuns: 150 },
    );
  });
});
