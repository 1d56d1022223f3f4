import { describe, expect, it } from 'vitest';
import { SendMessageDocument } from '../../src/generated/operations.ts';
import { createMemoryRateLimiter } from '../../src/limits/memory-rate-limiter.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf, errorCode } from '../support/graphql-client.ts';
import { useRestClient } from '../support/rest-client.ts';

describe('message rate limit (in memory)', () => {
  const chat = useChatServer('sqlite');
  const rest = useRestClient(chat);

  it('accepts 60 sends in a minute and answers the 61st RATE_LIMITED with retryAfterSeconds', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    for (let i = 1; i <= 60; i++) expect((await chat.send(alice, sessionId, `message ${i}`)).seq).toBe(i);

    const refused = await chat.as(alice, SendMessageDocument, { sessionId, input: { content: 'one too many' } });
    expect(errorCode(refused)).toBe('RATE_LIMITED');
    const extensions = refused.errors?.[0]?.extensions ?? {};
    expect(extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(extensions.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(extensions).toMatchObject({ limit: 60, correlationId: expect.any(String) });
    expect(refused.errors?.[0]?.message).toMatch(/at most 60 a minute/);
  });

  it('shares the budget between GraphQL and REST, answering REST with 429 and Retry-After', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    for (let i = 0; i < 30; i++) await chat.send(alice, sessionId, `graphql ${i}`);
    for (let i = 0; i < 30; i++) {
      const posted = await rest.as(alice, 'POST', `/chat/sessions/${sessionId}/messages`, { body: { content: `rest ${i}` } });
      expect(posted.status).toBe(201);
    }
    const refused = await rest.as<{ statusCode: number; message: string }>(alice, 'POST', `/chat/sessions/${sessionId}/messages`, {
      body: { content: 'one too many' },
    });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(errorCode(await chat.as(alice, SendMessageDocument, { sessionId, input: { content: 'graphql too' } }))).toBe('RATE_LIMITED');
  });

  it('keeps a separate budget per user, shared across sessions', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const first = await chat.createSession(alice, [bob]);
    const second = await chat.createSession(alice, [bob]);
    for (let i = 0; i < 30; i++) await chat.send(alice, first, `a${i}`);
    for (let i = 0; i < 30; i++) await chat.send(alice, second, `b${i}`);
    expect(errorCode(await chat.as(alice, SendMessageDocument, { sessionId: second, input: { content: 'no' } }))).toBe('RATE_LIMITED');
    expect((await chat.send(bob, first, 'bob still may')).seq).toBe(31);
  });

  it('does not count a retried send with the same clientMessageId', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const first = await chat.send(alice, sessionId, { content: 'once', clientMessageId: 'retry-me' });
    for (let i = 0; i < 59; i++) await chat.send(alice, sessionId, `filler ${i}`);
    // The budget is spent, yet a retry of an already stored send still answers with that message.
    const retried = await chat.send(alice, sessionId, { content: 'once', clientMessageId: 'retry-me' });
    expect(retried.id).toBe(first.id);
    expect(errorCode(await chat.as(alice, SendMessageDocument, { sessionId, input: { content: 'new' } }))).toBe('RATE_LIMITED');
  });

  it('does not limit service tokens', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    for (let i = 0; i < 61; i++) await chat.send('assistant-bot', sessionId, `reply ${i}`, { service: true });
    expect(dataOf(await chat.as(alice, SendMessageDocument, { sessionId, input: { content: 'mine' } })).sendMessage.seq).toBe(62);
  });

  it('offers a looser typing limit to the real-time layer (20 per 10 s by default)', async () => {
    const typing = chat.server.app.rateLimiters.typing;
    expect([typing.limit, typing.windowMs]).toEqual([20, 10_000]);
    const user = uniqueUser('typist');
    for (let i = 0; i < 20; i++) expect((await typing.consume(user)).allowed).toBe(true);
    expect(await typing.consume(user)).toMatchObject({ allowed: false, remaining: 0 });
  });
});

describe('message rate limit settings', () => {
  const chat = useChatServer('sqlite', { MESSAGES_PER_MINUTE: '0' });

  it('turns the limit off with MESSAGES_PER_MINUTE=0', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    await Promise.all(Array.from({ length: 70 }, (_, i) => chat.send(alice, sessionId, `m${i}`)));
    expect(chat.server.app.rateLimiters.messages.limit).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the memory limiter', () => {
  it('counts a rolling window: a slot frees exactly when the oldest action is a window old', async () => {
    let now = 1_000_000;
    const limiter = createMemoryRateLimiter({ limit: 3, windowMs: 60_000, now: () => now });
    for (const at of [0, 10_000, 20_000]) {
      now = 1_000_000 + at;
      expect((await limiter.consume('u')).allowed).toBe(true);
    }
    now = 1_000_000 + 30_000;
    expect(await limiter.consume('u')).toEqual({ allowed: false, remaining: 0, retryAfterMs: 30_000 });
    now = 1_000_000 + 60_000;
    expect(await limiter.consume('u')).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect((await limiter.consume('u')).retryAfterMs).toBe(10_000);
    expect((await limiter.consume('other')).allowed).toBe(true);
  });
});
