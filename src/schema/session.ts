/** ChatSession and Participant types. */
import { builder, principalOf } from './builder.ts';

export const Participant = builder.prismaObject('SessionParticipant', {
  name: 'Participant',
  description: 'A user who may read and write a session.',
  fields: (t) => ({
    userId: t.exposeID('userId'),
    joinedAt: t.expose('joinedAt', { type: 'DateTime' }),
  }),
});

export const ChatSession = builder.prismaObject('ChatSession', {
  description: 'A conversation. Only its participants (and service tokens) can see it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title', { nullable: true }),
    ownerId: t.exposeID('ownerId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastActivityAt: t.expose('lastActivityAt', { type: 'DateTime', description: 'Time of the latest message (or creation).' }),
    messageCount: t.exposeInt('messageCount', { description: 'Messages currently stored in the session.' }),
    lastSeq: t.exposeInt('lastSeq', {
      description: 'Sequence number of the latest message ever sent (deleted ones included); 0 when none.',
    }),
    participants: t.relation('participants', { query: { orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }] } }),
    // A query of its own per page, not a relatedConnection: loaded as a nested relation, Prisma
    // reads every message up to the cursor (LIMIT -1) and slices the page in memory.
    messages: t.prismaConnection({
      type: 'ConversationMessage',
      description: 'Messages oldest first; page forwards with first/after or backwards with last/before.',
      cursor: 'sessionId_seq',
      defaultSize: 50,
      maxSize: (_args, ctx) => ctx.limits.maxPageSize,
      totalCount: (session, _args, ctx) => ctx.services.messages.count(principalOf(ctx), session.id),
      resolve: (query, session, _args, ctx) => ctx.services.messages.connectionPage(principalOf(ctx), session.id, query),
    }),
  }),
});
