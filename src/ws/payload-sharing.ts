/**
 * The one rule that decides which subscribers share one execution and one serialized
 * payload per event (see shared-payloads.ts for the cache that applies it). Two subscribers
 * share only when the result of an event cannot differ between them:
 *
 * - the same document text and operation name (so the same selection set, aliases,
 *   directives and fragments);
 * - the same variables, except those that only position a stream's replay (`after`,
 *   `afterSeq` of messageReceived): those choose which events a subscriber gets, never
 *   what one event looks like. A variable counts as positional only when it is used
 *   nowhere else in the document;
 * - the same authorization scope. No field reachable from a subscription reads who the
 *   principal is beyond authorizing the session every subscriber of it already passed
 *   (the fields are listed in REVIEWED_SUBSCRIPTION_FIELDS, and a test fails when one is
 *   added, so the list is reviewed); service tokens are kept apart anyway, since they may
 *   see any session.
 *
 * Events themselves are per session (each subscriber's stream is fed by its session's
 * channel), so a payload is never shared across sessions.
 */
import { Kind, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Principal } from '../auth/principal.ts';

/** Root subscription fields and their arguments that only position the stream (replay start). */
const STREAM_POSITION_ARGS: Readonly<Record<string, readonly string[]>> = {
  messageReceived: ['after', 'afterSeq'],
  messageStream: ['fromOffset'],
};

/**
 * Every `Type.field` a subscription result can contain, as reviewed for principal
 * dependence (none depends on more than the scope). Add a field here only after checking
 * that its result is the same for every subscriber the key groups together.
 */
export const REVIEWED_SUBSCRIPTION_FIELDS: readonly string[] = [
  'ChatSession.createdAt',
  'ChatSession.id',
  'ChatSession.lastActivityAt',
  'ChatSession.lastSeq',
  'ChatSession.messageCount',
  'ChatSession.messages',
  'ChatSession.ownerId',
  'ChatSession.participants',
  'ChatSession.title',
  'Message.authorId',
  'Message.clientMessageId',
  'Message.content',
  'Message.editedAt',
  'Message.finishReason',
  'Message.id',
  'Message.metadata',
  'Message.role',
  'Message.seq',
  'Message.session',
  'Message.sessionId',
  'Message.status',
  'MessageStreamEvent.done',
  'MessageStreamEvent.finishReason',
  'MessageStreamEvent.messageId',
  'MessageStreamEvent.offset',
  'MessageStreamEvent.status',
  'MessageStreamEvent.text',
  'Message.timestamp',
  'MessageDeletion.cleared',
  'MessageDeletion.deletedCount',
  'MessageDeletion.messageId',
  'MessageDeletion.seq',
  'MessageDeletion.sessionId',
  'PageInfo.endCursor',
  'PageInfo.hasNextPage',
  'PageInfo.hasPreviousPage',
  'PageInfo.startCursor',
  'Participant.joinedAt',
  'Participant.userId',
  'Subscription.messageDeleted',
  'Subscription.messageReceived',
  'Subscription.messageStream',
  'Subscription.messageUpdated',
  'Subscription.typing',
  'TypingEvent.isTyping',
  'TypingEvent.sessionId',
  'TypingEvent.userId',
  'ChatSessionMessagesConnection.edges',
  'ChatSessionMessagesConnection.pageInfo',
  'ChatSessionMessagesConnection.totalCount',
  'ChatSessionMessagesConnectionEdge.cursor',
  'ChatSessionMessagesConnectionEdge.node',
];

export interface SharingRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  principal: Principal | null;
}

/** Subscribers with equal keys share one execution and one payload per event. */
export function sharingKeyOf({ query, operationName, variables, document, operation, principal }: SharingRequest): string {
  const positional = positionalVariables(document, operation);
  const kept = Object.entries(variables ?? {})
    .filter(([name]) => !positional.has(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const scope = principal?.isService ? 'service' : 'participant';
  return `${query}\u0000${operationName ?? ''}\u0000${JSON.stringify(kept)}\u0000${scope}`;
}

/** Variables used only as stream-position arguments of the root field, and nowhere else. */
function positionalVariables(document: DocumentNode, operation: OperationDefinitionNode): Set<string> {
  const positionalUses = new Map<string, number>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const names = STREAM_POSITION_ARGS[selection.name.value] ?? [];
    for (const argument of selection.arguments ?? []) {
      if (!names.includes(argument.name.value) || argument.value.kind !== Kind.VARIABLE) continue;
      const name = argument.value.name.value;
      positionalUses.set(name, (positionalUses.get(name) ?? 0) + 1);
    }
  }
  if (positionalUses.size === 0) return new Set();
  const allUses = new Map<string, number>();
  visit(document, {
    VariableDefinition: () => false,
    Variable(node) {
      allUses.set(node.name.value, (allUses.get(node.name.value) ?? 0) + 1);
    },
  });
  return new Set([...positionalUses].filter(([name, uses]) => allUses.get(name) === uses).map(([name]) => name));
}
