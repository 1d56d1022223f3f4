/** Mutations about the caller's own WebSocket connection: refreshConnectionToken. */
import { badInput } from '../errors.ts';
import { builder, principalOf } from './builder.ts';

builder.mutationField('refreshConnectionToken', (t) =>
  t.field({
    type: 'DateTime',
    nullable: true,
    description:
      'Over a WebSocket: replaces the connection token with a fresh one for the same user, keeping every ' +
      'subscription open. Returns the new expiry (null if the token has none).',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => {
      principalOf(ctx);
      if (!ctx.connection) throw badInput('refreshConnectionToken only applies to operations sent over a WebSocket');
      return ctx.connection.refreshToken(args.token);
    },
  }),
);
