/**
 * A NUL character in a REST path id (PostgreSQL text cannot hold one) names nothing: 404
 * like any unknown id, never a 500 with driver text, on both databases.
 */
import { describe, expect, it } from 'vitest';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { expectNoInternals } from '../support/leak-check.ts';
import { expectRestError, useRestClient } from '../support/rest-client.ts';
import { testedProviders } from '../support/server.ts';

describe.each(testedProviders())('NUL in REST path ids on %s', (provider) => {
  const chat = useChatServer(provider);
  const rest = useRestClient(chat);

  it.each([
    ['GET', '/chat/sessions/%00abc/messages', 'Session'],
    ['GET', '/chat/sessions/ab%00c/messages/recent', 'Session'],
    ['GET', '/chat/sessions/%00/messages/count', 'Session'],
    ['POST', '/chat/sessions/%00abc/messages', 'Session'],
    ['DELETE', '/chat/sessions/%00abc/messages', 'Session'],
    ['PUT', '/chat/messages/%00abc', 'Message'],
    ['DELETE', '/chat/messages/abc%00', 'Message'],
  ])('answers %s %s with 404 like an unknown id', async (method, path, what) => {
    const alice = uniqueUser('alice');
    const body = method === 'POST' || method === 'PUT' ? { content: 'x' } : undefined;
    const withNul = await rest.as(alice, method, path, { body });
    expectNoInternals(withNul.body);
    expectRestError(withNul, 404, new RegExp(`^${what} ".*" was not found$`));
    expect(withNul.body).toMatchObject({ code: 'NOT_FOUND' });
    const unknown = await rest.as(alice, method, path.replace('%00', 'zz'), { body });
    expectRestError(unknown, 404, new RegExp(`^${what} ".*" was not found$`));
  });

  it('checks the token first: a NUL id without a token answers 401', async () => {
    expectRestError(await rest.call('GET', '/chat/sessions/%00abc/messages'), 401);
  });

  it('leaves the session of the caller untouched', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    await chat.send(alice, sessionId, 'kept');
    expectRestError(await rest.as(alice, 'DELETE', `/chat/sessions/${sessionId}%00/messages`), 404);
    expect((await rest.as(alice, 'GET', `/chat/sessions/${sessionId}/messages/count`)).body).toEqual({ count: 1 });
  });
});
