import { describe, expect, it } from 'vitest';
import { MessagesDocument, RecentMessagesDocument } from '../../src/generated/operations.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { dataOf } from '../support/graphql-client.ts';
import { expectRestError, useRestClient, type RestMessage } from '../support/rest-client.ts';
import { testedProviders } from '../support/server.ts';

const messagesOf = (sessionId: string) => `/chat/sessions/${sessionId}/messages`;

describe.each(testedProviders())('GET message routes on %s', (provider) => {
  const chat = useChatServer(provider);
  const rest = useRestClient(chat);

  /** A session of alice (bob participates) holding `count` messages "m1", "m2", …. */
  async function sessionWithMessages(count: number) {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const sessionId = await chat.createSession(alice, [bob]);
    for (let i = 1; i <= count; i++) await chat.send(i % 2 ? alice : bob, sessionId, { content: `m${i}`, metadata: { i } });
    return { alice, bob, sessionId };
  }

  it('lists messages oldest first and pages them with limit and offset', async () => {
    const { bob, sessionId } = await sessionWithMessages(5);
    const all = await rest.as<RestMessage[]>(bob, 'GET', messagesOf(sessionId));
    expect(all.status).toBe(200);
    expect(all.body.map((m) => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(all.body.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);

    const page = await rest.as<RestMessage[]>(bob, 'GET', `${messagesOf(sessionId)}?limit=2&offset=1`);
    expect(page.body.map((m) => m.content)).toEqual(['m2', 'm3']);
    const pastTheEnd = await rest.as<RestMessage[]>(bob, 'GET', `${messagesOf(sessionId)}?offset=10`);
    expect(pastTheEnd).toMatchObject({ status: 200, body: [] });
  });

  it('returns the same messages as the GraphQL messages and recentMessages queries', async () => {
    const { alice, sessionId } = await sessionWithMessages(4);
    const viaGraphQL = dataOf(await chat.as(alice, MessagesDocument, { sessionId, limit: 3, offset: 1 })).messages;
    const viaRest = await rest.as<RestMessage[]>(alice, 'GET', `${messagesOf(sessionId)}?limit=3&offset=1`);
    expect(viaRest.body).toEqual(viaGraphQL);

    const recentGraphQL = dataOf(await chat.as(alice, RecentMessagesDocument, { sessionId, limit: 2 })).recentMessages;
    const recentRest = await rest.as<RestMessage[]>(alice, 'GET', `${messagesOf(sessionId)}/recent?limit=2`);
    expect(recentRest.body).toEqual(recentGraphQL);
  });

  it('returns the latest messages in chronological order from /recent (10 by default)', async () => {
    const { alice, sessionId } = await sessionWithMessages(12);
    const recent = await rest.as<RestMessage[]>(alice, 'GET', `${messagesOf(sessionId)}/recent?limit=3`);
    expect(recent.status).toBe(200);
    expect(recent.body.map((m) => m.content)).toEqual(['m10', 'm11', 'm12']);
    const byDefault = await rest.as<RestMessage[]>(alice, 'GET', `${messagesOf(sessionId)}/recent`);
    expect(byDefault.body.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('counts the messages of a session as { count }', async () => {
    const { bob, sessionId } = await sessionWithMessages(3);
    const count = await rest.as(bob, 'GET', `${messagesOf(sessionId)}/count`);
    expect(count).toMatchObject({ status: 200, body: { count: 3 } });
  });

  it.each([
    ['limit', 'abc'],
    ['limit', '1.5'],
    ['limit', ''],
    ['limit', '1e2'],
    ['limit', '0x10'],
    ['offset', 'abc'],
    ['offset', '2.0'],
    ['offset', ''],
  ])('answers 400 for a non-numeric %s of "%s"', async (name, value) => {
    const { alice, sessionId } = await sessionWithMessages(0);
    const response = await rest.as(alice, 'GET', `${messagesOf(sessionId)}?${name}=${encodeURIComponent(value)}`);
    expectRestError(response, 400, `${name} must be an integer; got "${value}"`);
  });

  it('answers 400 for a repeated limit and for a non-numeric limit on /recent', async () => {
    const { alice, sessionId } = await sessionWithMessages(0);
    expectRestError(await rest.as(alice, 'GET', `${messagesOf(sessionId)}?limit=1&limit=2`), 400, 'limit must be given at most once');
    expectRestError(await rest.as(alice, 'GET', `${messagesOf(sessionId)}/recent?limit=ten`), 400, /limit must be an integer/);
  });

  it('answers 400 for limit or offset out of range, with the GraphQL rule in the message', async () => {
    const { alice, sessionId } = await sessionWithMessages(1);
    for (const query of ['limit=0', 'limit=201', 'limit=-1']) {
      expectRestError(await rest.as(alice, 'GET', `${messagesOf(sessionId)}?${query}`), 400, 'limit must be an integer from 1 to 200');
    }
    expectRestError(await rest.as(alice, 'GET', `${messagesOf(sessionId)}?offset=-1`), 400, 'offset must be an integer of 0 or more');
    expectRestError(await rest.as(alice, 'GET', `${messagesOf(sessionId)}/recent?limit=0`), 400, /from 1 to 200/);
    expectRestError(
      await rest.as(alice, 'GET', `${messagesOf(sessionId)}?limit=99999999999`),
      400,
      'limit is out of range; got "99999999999"',
    );
    expectRestError(await rest.as(alice, 'GET', `${messagesOf(sessionId)}?offset=2147483648`), 400, /offset is out of range/);
    expect((await rest.as(alice, 'GET', `${messagesOf(sessionId)}?limit=200`)).status).toBe(200);
  });

  it.each(['', '/recent', '/count'])('answers 401 and 404 on GET messages%s', async (suffix) => {
    const { sessionId } = await sessionWithMessages(1);
    const path = `${messagesOf(sessionId)}${suffix}`;
    expectRestError(await rest.call('GET', path), 401, 'A valid token is required');
    expectRestError(await rest.call('GET', path, { token: 'garbage' }), 401);
    expectRestError(await rest.as(uniqueUser('mallory'), 'GET', path), 404, `Session "${sessionId}" was not found`);
    const unknown = `${messagesOf('00000000-0000-4000-8000-000000000000')}${suffix}`;
    expectRestError(await rest.as(uniqueUser('alice'), 'GET', unknown), 404, /was not found/);
  });
});
