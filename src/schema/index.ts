/** Imports every domain file (each registers its types on the builder) and builds the schema. */
import { builder } from './builder.ts';
import './session.ts';
import './session.queries.ts';
import './session.mutations.ts';
import './message.ts';
import './message.queries.ts';
import './message.mutations.ts';
import './message.subscriptions.ts';
import './message-streaming.ts';
import './typing.ts';
import './connection.ts';

export const schema = builder.toSchema({ sortSchema: true });
