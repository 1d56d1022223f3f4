/** The one SchemaBuilder: plugins, scalars and the Context type. Domain files add types to it. */
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { JSONResolver } from 'graphql-scalars';
import type { Principal } from '../auth/principal.ts';
import type { Context } from '../context.ts';
import { unauthenticated } from '../errors.ts';
import type PrismaTypes from '../generated/pothos-prisma-types.ts';
import { getDatamodel } from '../generated/pothos-prisma-types.ts';
import type { Watcher } from '../services/message-stream.service.ts';
import { DateTimeScalar } from './date-time.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  defaultFieldNullability: false,
  plugins: [PrismaPlugin, RelayPlugin],
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'error',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** The caller, or UNAUTHENTICATED (with the reason a presented token was rejected). */
export function principalOf(ctx: Context): Principal {
  if (ctx.principal) return ctx.principal;
  throw ctx.authError ?? unauthenticated();
}

/** The caller as a stream's watcher: over a WebSocket the connection itself closes at token expiry. */
export function watcherOf(ctx: Context): Watcher {
  return { principal: principalOf(ctx), transportEndsOnExpiry: ctx.connection !== null };
}
