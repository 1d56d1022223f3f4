/**
 * Compiled queries (src/graphql/compiled-queries.ts): a query document executed before runs
 * compiled, with the same result as the executor's; a compiled run with an error, a mutation
 * and a document with directives are the executor's. Through envelop with a counting
 * executor (which run answered), and through the real server (same bytes every time).
 */
import { envelop, useEngine } from '@envelop/core';
import {
  execute,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type ExecutionArgs,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { compiledQueries } from '../../src/graphql/compiled-queries.ts';
import { uniqueUser, useChatServer } from '../support/chat-fixture.ts';

const Item = new GraphQLObjectType({
  name: 'Item',
  fields: { n: { type: new GraphQLNonNull(GraphQLInt) }, label: { type: GraphQLString, resolve: (item: { n: number }) => `#${item.n}` } },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: {
        type: new GraphQLNonNull(
          new GraphQLObjectType({ name: 'Items', fields: { list: { type: new GraphQLNonNull(new GraphQLList(Item)) } } }),
        ),
        resolve: () => ({ list: [{ n: 1 }, { n: 2 }] }),
      },
      failing: {
        type: new GraphQLNonNull(GraphQLString),
        args: { fail: { type: GraphQLInt } },
        resolve: (_root, args: { fail?: number }) => {
          if (args.fail) throw new Error('failed on purpose');
          return 'fine';
        },
      },
    },
  }),
  mutation: new GraphQLObjectType({ name: 'Mutation', fields: { touch: { type: GraphQLString, resolve: () => 'touched' } } }),
});

function counted() {
  let runs = 0;
  const getEnveloped = envelop({
    plugins: [
      useEngine({
        parse,
        validate,
        specifiedRules,
        subscribe,
        execute: (args: ExecutionArgs) => {
          runs += 1;
          return execute(args);
        },
      }),
      compiledQueries(),
    ],
  });
  const document = (source: string) => parse(source);
  const run = async (doc: ReturnType<typeof parse>, variableValues?: Record<string, unknown>) => {
    const { execute: run, contextFactory } = getEnveloped();
    return JSON.stringify(await run({ schema, document: doc, variableValues, contextValue: await contextFactory() }));
  };
  return { run, document, executorRuns: () => runs };
}

describe('compiled queries', () => {
  it('answers a repeated query compiled, with the result the executor gave', async () => {
    const { run, document, executorRuns } = counted();
    const doc = document('query { items { list { n label } } failing }');
    const first = await run(doc);
    expect(first).toBe('{"data":{"items":{"list":[{"n":1,"label":"#1"},{"n":2,"label":"#2"}]},"failing":"fine"}}');
    expect(await run(doc)).toBe(first);
    expect(await run(doc)).toBe(first);
    expect(executorRuns()).toBe(1);
  });

  it('answers with the executor whenever the compiled run has an error', async () => {
    const { run, document, executorRuns } = counted();
    const doc = document('query Q($fail: Int) { failing(fail: $fail) }');
    const failed = await run(doc, { fail: 1 });
    expect(JSON.parse(failed)).toMatchObject({ data: null, errors: [{ message: 'failed on purpose', path: ['failing'] }] });
    expect(await run(doc, { fail: 1 })).toBe(failed);
    expect(await run(doc, { fail: 1 })).toBe(failed);
    expect(executorRuns()).toBe(3);
    expect(await run(doc, { fail: 0 })).toBe('{"data":{"failing":"fine"}}');
    expect(executorRuns()).toBe(3);
  });

  it('leaves mutations and documents with directives to the executor', async () => {
    const { run, document, executorRuns } = counted();
    const mutation = document('mutation { touch }');
    const directed = document('query($on: Boolean!) { failing @include(if: $on) }');
    for (let i = 0; i < 3; i++) {
      expect(await run(mutation)).toBe('{"data":{"touch":"touched"}}');
      expect(await run(directed, { on: i !== 1 })).toBe(i === 1 ? '{"data":{}}' : '{"data":{"failing":"fine"}}');
    }
    expect(executorRuns()).toBe(6);
  });
});

describe('compiled queries in the server', () => {
  const chat = useChatServer('sqlite', { MESSAGES_PER_MINUTE: '0' });
  const PAGE =
    'query Page($id: ID!) { session(id: $id) { id title messages(last: 2) { ' +
    'edges { cursor node { id seq role content status metadata timestamp authorId editedAt } } pageInfo { hasPreviousPage startCursor endCursor } } } }';

  const post = async (token: string, variables: Record<string, unknown>) => {
    const response = await fetch(chat.server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: PAGE, variables }),
    });
    return { status: response.status, body: (await response.text()).replace(/"correlationId":"[^"]+"/, '"correlationId":"<id>"') };
  };

  it('answers a repeated history page and a repeated NOT_FOUND the same every time', async () => {
    const alice = uniqueUser('alice');
    const sessionId = await chat.createSession(alice);
    const token = await chat.server.token(alice);
    const stranger = await chat.server.token(uniqueUser('stranger'));
    for (const content of ['one', 'two é', 'three']) await chat.send(alice, sessionId, { content, metadata: { k: content } });
    const answers = [];
    const refusals = [];
    for (let i = 0; i < 4; i++) {
      answers.push(await post(token, { id: sessionId }));
      refusals.push(await post(stranger, { id: sessionId }));
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(JSON.parse(answers[0]!.body).data.session.messages.edges.map((e: { node: { content: string } }) => e.node.content)).toEqual([
      'two é',
      'three',
    ]);
    expect(new Set(refusals.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(JSON.parse(refusals[0]!.body).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});
