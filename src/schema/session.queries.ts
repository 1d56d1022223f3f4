/** Query fields for sessions: session, sessions, sessionInfo. */
import type { SessionInfo as SessionInfoShape } from '../services/session.service.ts';
import { builder, principalOf } from './builder.ts';
import { ChatSession, Participant } from './session.ts';

builder.queryField('session', (t) =>
  t.prismaField({
    type: 'ChatSession',
    description: 'One of my sessions. Sessions I am not in answer NOT_FOUND, exactly like missing ones.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => ctx.services.sessions.readSession(principalOf(ctx), String(args.id), query),
  }),
);

builder.queryField('sessions', (t) =>
  t.prismaConnection({
    type: 'ChatSession',
    description: 'My sessions, newest activity first.',
    cursor: 'id',
    defaultSize: 20,
    maxSize: (_args, ctx) => ctx.limits.maxPageSize,
    resolve: (query, _root, _args, ctx) => ctx.services.sessions.listForUser(principalOf(ctx), query),
  }),
);

const SessionInfo = builder.objectRef<SessionInfoShape>('SessionInfo').implement({
  description: 'A session with its participants, message count and last activity (the legacy session-info).',
  fields: (t) => ({
    session: t.field({ type: ChatSession, resolve: (info) => info.session }),
    participants: t.field({ type: [Participant], resolve: (info) => info.participants }),
    messageCount: t.exposeInt('messageCount'),
    lastActivityAt: t.field({ type: 'DateTime', resolve: (info) => info.session.lastActivityAt }),
    connectedUserIds: t.idList({
      description: 'Users with an open subscription to this session right now (on any instance when Redis is configured).',
      resolve: (info) => info.connectedUserIds(),
    }),
  }),
});

builder.queryField('sessionInfo', (t) =>
  t.field({
    type: SessionInfo,
    args: { sessionId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.sessions.info(principalOf(ctx), String(args.sessionId)),
  }),
);
