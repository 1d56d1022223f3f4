/** Mutation fields for sessions: createSession, addParticipant. */
import { builder, principalOf } from './builder.ts';
import { ChatSession } from './session.ts';

const CreateSessionInput = builder.inputType('CreateSessionInput', {
  fields: (t) => ({
    title: t.string({ required: false }),
    participantIds: t.idList({ required: false, description: 'Other users to add; the creator is always a participant.' }),
  }),
});

builder.mutationField('createSession', (t) =>
  t.field({
    type: ChatSession,
    description: 'Starts a session owned by the caller.',
    args: { input: t.arg({ type: CreateSessionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.sessions.create(principalOf(ctx), {
        title: input.title,
        participantIds: input.participantIds?.map(String),
      }),
  }),
);

builder.mutationField('addParticipant', (t) =>
  t.field({
    type: ChatSession,
    description: 'Adds a user to a session. Only the owner (or a service token) may; adding twice changes nothing.',
    args: { sessionId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.sessions.addParticipant(principalOf(ctx), String(args.sessionId), String(args.userId)),
  }),
);
