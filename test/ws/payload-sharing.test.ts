import { getNamedType, getOperationAST, isInterfaceType, isObjectType, parse, type GraphQLNamedType } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { schema } from '../../src/schema/index.ts';
import { REVIEWED_SUBSCRIPTION_FIELDS, sharingKeyOf } from '../../src/ws/payload-sharing.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';
import { testedProviders } from '../support/server.ts';
import { waitForPresence } from '../support/subscription-live.ts';
import { connectWs, subscribe, type WsClient } from '../support/ws-client.ts';

const alice: Principal = { userId: 'alice', isService: false, expiresAt: null };
const bob: Principal = { userId: 'bob', isService: false, expiresAt: null };
const service: Principal = { userId: 'bot', isService: true, expiresAt: null };

function keyOf(query: string, variables: Record<string, unknown>, principal: Principal = alice, operationName?: string): string {
  const document = parse(query);
  const operation = getOperationAST(document, operationName)!;
  return sharingKeyOf({ query, operationName, variables, document, operation, principal });
}

const RECEIVED = 'subscription($s: ID!, $a: ID, $n: Int) { messageReceived(sessionId: $s, after: $a, afterSeq: $n) { seq content } }';

describe('the payload-sharing key', () => {
  it('groups subscribers that differ only in where their replay starts', () => {
    expect(keyOf(RECEIVED, { s: 'x', n: 1 })).toBe(keyOf(RECEIVED, { s: 'x', n: 7 }));
    expect(keyOf(RECEIVED, { s: 'x', a: 'm1' })).toBe(keyOf(RECEIVED, { s: 'x', a: 'm2' }, bob));
  });

  it('separates different variables, selection sets, operations and scopes', () => {
    expect(keyOf(RECEIVED, { s: 'x' })).not.toBe(keyOf(RECEIVED, { s: 'y' }));
    const fewer = RECEIVED.replace('seq content', 'seq');
    expect(keyOf(RECEIVED, { s: 'x' })).not.toBe(keyOf(fewer, { s: 'x' }));
    const two = `${RECEIVED.replace('subscription(', 'subscription A(')} ${RECEIVED.replace('subscription(', 'subscription B(').replace('seq content', 'seq')}`;
    expect(keyOf(two, { s: 'x' }, alice, 'A')).not.toBe(keyOf(two, { s: 'x' }, alice, 'B'));
    expect(keyOf(RECEIVED, { s: 'x' }, alice)).not.toBe(keyOf(RECEIVED, { s: 'x' }, service));
  });

  it('keeps a replay-position variable in the key when the document also uses it elsewhere', () => {
    const query =
      'subscription($s: ID!, $n: Int) { messageReceived(sessionId: $s, afterSeq: $n) { seq session { messages(last: $n) { edges { node { seq } } } } } }';
    expect(keyOf(query, { s: 'x', n: 1 })).not.toBe(keyOf(query, { s: 'x', n: 2 }));
  });

  it('treats after/afterSeq as positional only on messageReceived', () => {
    const query = 'subscription($s: ID!, $n: Int) { messageUpdated(sessionId: $s) { seq } }';
    expect(keyOf(query, { s: 'x', n: 1 })).not.toBe(keyOf(query, { s: 'x', n: 2 }));
  });

  it('covers every field a subscription can return (review payload-sharing.ts before adding one)', () => {
    const reachable = new Set<string>();
    const seen = new Set<string>();
    const walk = (type: GraphQLNamedType) => {
      if (seen.has(type.name) || !(isObjectType(type) || isInterfaceType(type))) return;
      seen.add(type.name);
      for (const field of Object.values(type.getFields())) {
        reachable.add(`${type.name}.${field.name}`);
        walk(getNamedType(field.type));
      }
    };
    walk(schema.getSubscriptionType()!);
    expect([...reachable].sort()).toEqual([...REVIEWED_SUBSCRIPTION_FIELDS].sort());
  });
});

describe.each(testedProviders())('shared subscription payloads on %s', (provider) => {
  const chat = useChatServer(provider, { MESSAGES_PER_MINUTE: '0' });
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  const connect = async (userId: string, service = false) => {
    const ws = connectWs(chat.server.wsUrl, { authorization: `Bearer ${await chat.server.token(userId, { service })}` });
    clients.push(ws);
    return ws.client;
  };

  it('gives each subscriber its own result when a replay variable also shapes the payload', async () => {
    const owner = uniqueUser('alice');
    const other = uniqueUser('bob');
    const sessionId = await chat.createSession(owner, [other]);
    for (let i = 1; i <= 3; i++) await chat.send(owner, sessionId, `before ${i}`);
    const query = `subscription($s: ID!, $n: Int) {
      messageReceived(sessionId: $s, afterSeq: $n) { seq session { messages(last: $n) { edges { node { seq } } } } }
    }`;
    type Event = { messageReceived: { seq: number; session: { messages: { edges: { node: { seq: number } }[] } } } };
    const one = subscribe<Event>(await connect(owner), query, { s: sessionId, n: 1 });
    const two = subscribe<Event>(await connect(other), query, { s: sessionId, n: 2 });
    await waitForPresence(chat.server, sessionId, 2);
    await chat.send(owner, sessionId, 'live');
    const pages = async (sub: typeof one, count: number) =>
      (await sub.waitFor(count)).map((e) => [e.messageReceived.seq, e.messageReceived.session.messages.edges.map((edge) => edge.node.seq)]);
    // Replayed events are read per subscriber; the live one (seq 4) is the shared event.
    expect((await pages(one, 3)).at(-1)).toEqual([4, [4]]);
    expect((await pages(two, 2)).at(-1)).toEqual([4, [3, 4]]);
  });

  it('shares one payload between subscribers with equal keys, user or service alike getting the same content', async () => {
    const owner = uniqueUser('alice');
    const other = uniqueUser('bob');
    const sessionId = await chat.createSession(owner, [other]);
    const query = 'subscription($s: ID!) { messageReceived(sessionId: $s) { seq content authorId session { id messageCount } } }';
    const subs = [
      subscribe(await connect(owner), query, { s: sessionId }),
      subscribe(await connect(other), query, { s: sessionId }),
      subscribe(await connect(uniqueUser('bot'), true), query, { s: sessionId }),
    ];
    await waitForPresence(chat.server, sessionId, 3);
    await chat.send(other, sessionId, 'hello');
    const received = await Promise.all(subs.map((sub) => sub.waitFor(1)));
    expect(received[1]).toEqual(received[0]);
    expect(received[2]).toEqual(received[0]);
  });
});
