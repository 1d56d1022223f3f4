/** What every generated case may refer to: tokens and ids created before fuzzing. */
import type { Prng } from './prng.ts';
import { edgeString, jsonValue, shortString } from './values.ts';

export interface FuzzContext {
  host: string;
  port: number;
  /** A valid token of the fuzzing user (not a participant of the protected session). */
  token: string;
  /** Tokens that must be refused: expired, wrong secret, garbage. */
  badTokens: string[];
  /** The session whose stored data must not change (owned by another user). */
  protectedSessionId: string;
  protectedMessageId: string;
  /** A session of the fuzzing user, which it may legitimately change. */
  ownSessionId: string;
}

/** A token to present: mostly the valid one, sometimes a refused or absurd one. */
export function pickToken(prng: Prng, ctx: FuzzContext): string {
  return prng.weighted([
    [6, ctx.token],
    [2, prng.pick(ctx.badTokens)],
    [1, edgeString(prng)],
  ]);
}

/** An id to put where a session or message id goes. */
export function pickId(prng: Prng, ctx: FuzzContext): unknown {
  return prng.weighted<unknown>([
    [3, ctx.protectedSessionId],
    [2, ctx.protectedMessageId],
    [3, ctx.ownSessionId],
    [2, edgeString(prng)],
    [2, jsonValue(prng)],
  ]);
}

const DOCUMENTS = [
  '{ __typename }',
  'query($s: ID!) { sessionInfo(sessionId: $s) { messageCount connectedUserIds session { id title lastSeq } } }',
  'query($s: ID!, $l: Int) { messages(sessionId: $s, limit: $l) { id seq content metadata } }',
  'query($s: ID!) { recentMessages(sessionId: $s) { id content } }',
  'query($id: ID!) { message(id: $id) { id content } }',
  'mutation($s: ID!, $c: String!, $m: JSON, $k: String) { sendMessage(sessionId: $s, input: { content: $c, metadata: $m, clientMessageId: $k }) { id seq } }',
  'mutation($id: ID!, $c: String!) { updateMessage(id: $id, input: { content: $c }) { id } }',
  'mutation($id: ID!) { deleteMessage(id: $id) { id } }',
  'mutation($s: ID!) { clearConversation(sessionId: $s) }',
  'mutation($s: ID!, $u: ID!) { addParticipant(sessionId: $s, userId: $u) { id } }',
  'mutation($s: ID!, $t: Boolean!) { setTyping(sessionId: $s, isTyping: $t) }',
  'mutation($t: String!) { refreshConnectionToken(token: $t) }',
  'mutation($p: [ID!], $t: String) { createSession(input: { participantIds: $p, title: $t }) { id } }',
  'subscription($s: ID!, $a: ID, $q: Int) { messageReceived(sessionId: $s, after: $a, afterSeq: $q) { id seq content } }',
  'subscription($s: ID!) { typing(sessionId: $s) { userId isTyping } }',
  'subscription($s: ID!) { messageUpdated(sessionId: $s) { id } }',
  'subscription($s: ID!) { messageDeleted(sessionId: $s) { messageId cleared } }',
  '{ __schema { types { name } } }',
  '{ a: __typename b: __typename c: __typename d: __typename e: __typename f: __typename g: __typename h: __typename i: __typename j: __typename k: __typename l: __typename m: __typename n: __typename o: __typename p: __typename }',
  'query { sessionInfo(sessionId: "x") { messages(first: 100000) { edges { node { session { messages { edges { node { id } } } } } } } } }',
  '{ __typename @skip(if: false) @skip(if: false) @skip(if: false) }',
  'subscription { __typename }',
  'query Q { __typename } query Q { __typename }',
  '{',
  '',
];

/** A GraphQL request payload `{ query, variables, operationName, extensions }` with fields sometimes of the wrong type. */
export function graphqlPayload(prng: Prng, ctx: FuzzContext): Record<string, unknown> {
  const variables: Record<string, unknown> = {
    s: pickId(prng, ctx),
    id: pickId(prng, ctx),
    c: prng.chance(0.7) ? edgeString(prng) : jsonValue(prng),
    m: jsonValue(prng),
    k: prng.chance(0.5) ? shortString(prng) : jsonValue(prng),
    l: prng.pick([1, 0, -1, 201, 2 ** 31, null, 'x']),
    a: prng.chance(0.5) ? ctx.protectedMessageId : jsonValue(prng),
    q: prng.pick([0, -1, 2 ** 31, null, 'x', 1.5]),
    u: prng.chance(0.5) ? 'fuzzer' : jsonValue(prng),
    t: prng.chance(0.5) ? pickToken(prng, ctx) : jsonValue(prng),
    p: prng.chance(0.5) ? [ctx.protectedSessionId] : jsonValue(prng),
  };
  const payload: Record<string, unknown> = { query: prng.pick(DOCUMENTS), variables };
  if (prng.chance(0.15)) payload.query = jsonValue(prng);
  if (prng.chance(0.15)) payload.variables = jsonValue(prng);
  if (prng.chance(0.15)) payload.operationName = prng.chance(0.5) ? 'Q' : jsonValue(prng);
  if (prng.chance(0.1)) payload.extensions = jsonValue(prng);
  if (prng.chance(0.05)) delete payload.query;
  return payload;
}
