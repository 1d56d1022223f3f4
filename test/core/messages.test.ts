import { describe, expect, it } from 'vitest';
import {
  ClearConversationDocument,
  DeleteMessageDocument,
  MessageByIdDocument,
  MessageCountDocument,
  MessagesDocument,
  RecentMessagesDocument,
  SendMessageDocument,
  SessionMessagesPageDocument,
  UpdateMessageDocument,
} from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf, errorCode } from '../support/graphql-client.ts';
import { testedProviders } from '../support/server.ts';

describe.each(testedProviders())('messages on %s', (provider) => {
  const chat = useChatServer(provider);

  async function sessionWith(count: number, owner = uniqueUser('alice')) {
    const id = await chat.createSession(owner);
    for (let i = 1; i <= count; i++) await chat.send(owner, id, `message ${i}`);
    return { id, owner };
  }

  it('stores a message with its author, role, metadata and the next sequence number', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const id = await chat.createSession(alice, [bob]);
    const sent = dataOf(
      await chat.as(alice, SendMessageDocument, { sessionId: id, input: { content: 'hi 👋', metadata: { lang: 'en', n: [1, 2] } } }),
    ).sendMessage;
    expect(sent).toMatchObject({ sessionId: id, seq: 1, role: 'USER', content: 'hi 👋', metadata: { lang: 'en', n: [1, 2] } });
    expect(sent.authorId).toBe(alice);
    expect(sent.editedAt).toBeNull();
    const reply = dataOf(await chat.as(bob, SendMessageDocument, { sessionId: id, input: { content: 'hello' } })).sendMessage;
    expect(reply.seq).toBe(2);
    expect(dataOf(await chat.as(bob, MessageByIdDocument, { id: sent.id })).message.content).toBe('hi 👋');
  });

  it('pages with limit/offset oldest first, and returns the recent N in chronological order', async () => {
    const { id, owner } = await sessionWith(7);
    const page = dataOf(await chat.as(owner, MessagesDocument, { sessionId: id, limit: 3, offset: 2 })).messages;
    expect(page.map((m) => m.content)).toEqual(['message 3', 'message 4', 'message 5']);
    const all = dataOf(await chat.as(owner, MessagesDocument, { sessionId: id })).messages;
    expect(all.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const recent = dataOf(await chat.as(owner, RecentMessagesDocument, { sessionId: id, limit: 3 })).recentMessages;
    expect(recent.map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(dataOf(await chat.as(owner, MessageCountDocument, { sessionId: id })).messageCount).toBe(7);
  });

  it('pages ChatSession.messages forwards and backwards with Relay cursors', async () => {
    const { id, owner } = await sessionWith(5);
    const first = dataOf(await chat.as(owner, SessionMessagesPageDocument, { id, first: 2 })).session.messages;
    expect(first.totalCount).toBe(5);
    expect(first.edges.map((e) => e.node.seq)).toEqual([1, 2]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = dataOf(await chat.as(owner, SessionMessagesPageDocument, { id, first: 2, after: first.pageInfo.endCursor })).session
      .messages;
    expect(next.edges.map((e) => e.node.seq)).toEqual([3, 4]);
    const last = dataOf(await chat.as(owner, SessionMessagesPageDocument, { id, last: 2 })).session.messages;
    expect(last.edges.map((e) => e.node.seq)).toEqual([4, 5]);
    expect(last.pageInfo.hasPreviousPage).toBe(true);
    const before = dataOf(await chat.as(owner, SessionMessagesPageDocument, { id, last: 2, before: last.pageInfo.startCursor })).session
      .messages;
    expect(before.edges.map((e) => e.node.seq)).toEqual([2, 3]);
  });

  it('pages ChatSession.messages across deleted messages from cursors on either side', async () => {
    const { id, owner } = await sessionWith(6);
    const all = dataOf(await chat.as(owner, SessionMessagesPageDocument, { id, first: 6 })).session.messages.edges;
    dataOf(await chat.as(owner, DeleteMessageDocument, { id: all[2]!.node.id }));
    const forwards = dataOf(await chat.as(owner, SessionMessagesPageDocument, { id, first: 2, after: all[1]!.cursor })).session.messages;
    expect(forwards.edges.map((e) => e.node.seq)).toEqual([4, 5]);
    expect(forwards.totalCount).toBe(5);
    const backwards = dataOf(await chat.as(owner, SessionMessagesPageDocument, { id, last: 2, before: all[4]!.cursor })).session.messages;
    expect(backwards.edges.map((e) => e.node.seq)).toEqual([2, 4]);
    expect(backwards.pageInfo.hasPreviousPage).toBe(true);
  });

  it('makes a send with a clientMessageId idempotent', async () => {
    const { id, owner } = await sessionWith(0);
    const input = { content: 'once', clientMessageId: 'client-1' };
    const a = dataOf(await chat.as(owner, SendMessageDocument, { sessionId: id, input })).sendMessage;
    const b = dataOf(await chat.as(owner, SendMessageDocument, { sessionId: id, input: { ...input, content: 'retry' } })).sendMessage;
    expect(b).toEqual(a);
    const concurrent = await Promise.all(
      [1, 2, 3, 4].map(() => chat.as(owner, SendMessageDocument, { sessionId: id, input: { content: 'race', clientMessageId: 'c-2' } })),
    );
    expect(new Set(concurrent.map((r) => dataOf(r).sendMessage.id)).size).toBe(1);
    expect(dataOf(await chat.as(owner, MessageCountDocument, { sessionId: id })).messageCount).toBe(2);
  });

  it('answers NOT_FOUND for every message operation on a session the user is not in', async () => {
    const { id, owner } = await sessionWith(1);
    const [message] = dataOf(await chat.as(owner, MessagesDocument, { sessionId: id })).messages;
    const mallory = uniqueUser('mallory');
    const attempts = await Promise.all([
      chat.as(mallory, SendMessageDocument, { sessionId: id, input: { content: 'x' } }),
      chat.as(mallory, MessagesDocument, { sessionId: id }),
      chat.as(mallory, RecentMessagesDocument, { sessionId: id }),
      chat.as(mallory, MessageCountDocument, { sessionId: id }),
      chat.as(mallory, MessageByIdDocument, { id: message!.id }),
      chat.as(mallory, UpdateMessageDocument, { id: message!.id, input: { content: 'hacked' } }),
      chat.as(mallory, DeleteMessageDocument, { id: message!.id }),
      chat.as(mallory, ClearConversationDocument, { sessionId: id }),
    ]);
    expect(attempts.map(errorCode)).toEqual(Array(8).fill('NOT_FOUND'));
    expect(dataOf(await chat.as(owner, MessagesDocument, { sessionId: id })).messages).toEqual([message]);
  });

  it('lets only the author edit or delete a message', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const id = await chat.createSession(alice, [bob]);
    const sent = await chat.send(alice, id, { content: 'draft', metadata: { v: 1 } });
    expect(errorCode(await chat.as(bob, UpdateMessageDocument, { id: sent.id, input: { content: 'bob was here' } }))).toBe('FORBIDDEN');
    expect(errorCode(await chat.as(bob, DeleteMessageDocument, { id: sent.id }))).toBe('FORBIDDEN');

    const edited = dataOf(await chat.as(alice, UpdateMessageDocument, { id: sent.id, input: { content: 'final' } })).updateMessage;
    expect(edited).toMatchObject({ content: 'final', metadata: { v: 1 }, seq: 1 });
    expect(edited.editedAt).not.toBeNull();
    const cleared = dataOf(await chat.as(alice, UpdateMessageDocument, { id: sent.id, input: { metadata: null } })).updateMessage;
    expect(cleared).toMatchObject({ content: 'final', metadata: null });

    expect(dataOf(await chat.as(alice, DeleteMessageDocument, { id: sent.id })).deleteMessage.id).toBe(sent.id);
    expect(errorCode(await chat.as(alice, DeleteMessageDocument, { id: sent.id }))).toBe('NOT_FOUND');
    expect(dataOf(await chat.as(alice, MessageCountDocument, { sessionId: id })).messageCount).toBe(0);
  });

  it('lets only the owner clear a conversation, and never reuses sequence numbers', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const id = await chat.createSession(alice, [bob]);
    await chat.send(bob, id, 'one');
    await chat.send(bob, id, 'two');
    expect(errorCode(await chat.as(bob, ClearConversationDocument, { sessionId: id }))).toBe('FORBIDDEN');
    expect(dataOf(await chat.as(alice, ClearConversationDocument, { sessionId: id })).clearConversation).toBe(2);
    expect(dataOf(await chat.as(alice, MessageCountDocument, { sessionId: id })).messageCount).toBe(0);
    expect((await chat.send(bob, id, 'three')).seq).toBe(3);
  });

  it('lets only service tokens send ASSISTANT and SYSTEM messages', async () => {
    const { id, owner } = await sessionWith(0);
    const denied = await chat.as(owner, SendMessageDocument, { sessionId: id, input: { content: 'I am a bot', role: 'ASSISTANT' } });
    expect(errorCode(denied)).toBe('FORBIDDEN');
    const bot = await chat.as('bot', SendMessageDocument, { sessionId: id, input: { content: 'Hello!' } }, { service: true });
    expect(dataOf(bot).sendMessage).toMatchObject({ role: 'ASSISTANT', authorId: 'bot' });
    const system = await chat.as(
      'bot',
      SendMessageDocument,
      { sessionId: id, input: { content: 'joined', role: 'SYSTEM' } },
      { service: true },
    );
    expect(dataOf(system).sendMessage.role).toBe('SYSTEM');
  });

  it('rejects bad content, metadata and paging with BAD_USER_INPUT and stores nothing', async () => {
    const { id, owner } = await sessionWith(1);
    const bad = async (input: Record<string, unknown>) =>
      errorCode(await chat.as(owner, SendMessageDocument, { sessionId: id, input: input as { content: string } }));
    expect(await bad({ content: '' })).toBe('BAD_USER_INPUT');
    expect(await bad({ content: ' \n\t ' })).toBe('BAD_USER_INPUT');
    expect(await bad({ content: 'nul \u0000 byte' })).toBe('BAD_USER_INPUT');
    expect(await bad({ content: 'ok', metadata: [1, 2] })).toBe('BAD_USER_INPUT');
    expect(await bad({ content: 'ok', metadata: 'text' })).toBe('BAD_USER_INPUT');
    expect(await bad({ content: 'ok', metadata: { big: 'x'.repeat(20_000) } })).toBe('BAD_USER_INPUT');
    expect(await bad({ content: 'ok', metadata: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } })).toBe('BAD_USER_INPUT');
    expect(await bad({ content: 'ok', clientMessageId: 'has space' })).toBe('BAD_USER_INPUT');
    for (const [limit, offset] of [
      [0, 0],
      [-1, 0],
      [201, 0],
      [10, -1],
    ]) {
      expect(errorCode(await chat.as(owner, MessagesDocument, { sessionId: id, limit, offset }))).toBe('BAD_USER_INPUT');
    }
    expect(errorCode(await chat.as(owner, RecentMessagesDocument, { sessionId: id, limit: 0 }))).toBe('BAD_USER_INPUT');
    expect(dataOf(await chat.as(owner, MessageCountDocument, { sessionId: id })).messageCount).toBe(1);
  });

  it('stores hostile-looking text verbatim', async () => {
    const { id, owner } = await sessionWith(0);
    const texts = ['\'; DROP TABLE "ConversationMessage"; --', '<script>alert(1)</script>', '\u202Eevil\u200B\u200Dzero', '😀'.repeat(10)];
    for (const content of texts) expect((await chat.send(owner, id, content)).seq).toBeGreaterThan(0);
    const stored = dataOf(await chat.as(owner, MessagesDocument, { sessionId: id })).messages.map((m) => m.content);
    expect(stored).toEqual(texts);
  });
});

describe.each(testedProviders())('message limits on %s', (provider) => {
  const chat = useChatServer(provider, { MAX_MESSAGE_LENGTH: '20', MAX_MESSAGES_PER_SESSION: '3' });

  it('accepts content of exactly MAX_MESSAGE_LENGTH characters and refuses one more', async () => {
    const { id } = { id: await chat.createSession('limit-user') };
    expect((await chat.send('limit-user', id, 'x'.repeat(20))).seq).toBe(1);
    expect((await chat.send('limit-user', id, '😀'.repeat(20))).seq).toBe(2);
    const tooLong = await chat.as('limit-user', SendMessageDocument, { sessionId: id, input: { content: 'x'.repeat(21) } });
    expect(errorCode(tooLong)).toBe('BAD_USER_INPUT');
    expect(tooLong.errors?.[0]?.message).toContain('limit is 20');
  });

  it('accepts MAX_MESSAGES_PER_SESSION messages, refuses one more, and deletes nothing', async () => {
    const owner = uniqueUser('owner');
    const id = await chat.createSession(owner);
    for (let i = 0; i < 3; i++) await chat.send(owner, id, `m${i}`);
    const refused = await chat.as(owner, SendMessageDocument, { sessionId: id, input: { content: 'one too many' } });
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.extensions?.reason).toBe('SESSION_FULL');
    const stored = dataOf(await chat.as(owner, MessagesDocument, { sessionId: id })).messages;
    expect(stored.map((m) => m.content)).toEqual(['m0', 'm1', 'm2']);

    const [first] = stored;
    await chat.as(owner, DeleteMessageDocument, { id: first!.id });
    expect((await chat.send(owner, id, 'room again')).seq).toBe(4);
  });
});
