/**
 * An envelop plugin that runs a query document seen before through graphql-jit: the
 * document is compiled once into a function that calls the same resolvers without
 * graphql-js's per-field interpretation (the history page's 50 messages × 7 fields were most
 * of its execution time). It is confined to where the result is the same by construction:
 *  - queries only (mutations, subscriptions and incremental delivery keep the executor);
 *  - documents without directives (no @skip/@include/@defer/@stream to interpret);
 *  - results without errors: a compiled run that reports any error is discarded and the
 *    query runs again through the executor, so every error (its message, path, masking,
 *    nulls) is the executor's. A query reads only, so running it twice changes nothing.
 * A document is compiled the second time it is executed, so one-off documents cost nothing;
 * graphql-jit itself (~4 MB with its dependencies) is loaded on the first compilation.
 */
import { createRequire } from 'node:module';
import { getOperationAST, Kind, visit, BREAK, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

type Compiled = CompiledQuery['query'];

// CommonJS, so it can be loaded synchronously where the first compilation happens.
const require = createRequire(import.meta.url);
let jit: typeof import('graphql-jit') | undefined;
const loadJit = () => (jit ??= require('graphql-jit') as typeof import('graphql-jit'));
/** Seen once (not compiled yet), compiled, or not one to compile. */
type Entry = 'seen' | 'refused' | Compiled;

export function compiledQueries(): Plugin {
  // Held weakly by document: a compiled query lives as long as Yoga's caches keep its document.
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Entry>>>();

  /** The compiled query for this document and operation once it ran before; undefined: use the executor. */
  function compiledFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Compiled | undefined {
    let documents = bySchema.get(schema);
    if (!documents) {
      documents = new WeakMap();
      bySchema.set(schema, documents);
    }
    let operations = documents.get(document);
    if (!operations) {
      operations = new Map();
      documents.set(document, operations);
    }
    const key = operationName ?? '';
    const entry = operations.get(key);
    if (typeof entry === 'function') return entry;
    if (entry === 'refused') return undefined;
    if (entry === undefined) {
      operations.set(key, 'seen');
      return undefined;
    }
    const compiled = compile(schema, document, operationName);
    operations.set(key, compiled ?? 'refused');
    return compiled;
  }

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operationName = args.operationName ?? undefined;
      const query = compiledFor(args.schema, args.document, operationName);
      if (!query) return;
      setExecuteFn(async (executionArgs) => {
        const result = (await query(
          executionArgs.rootValue,
          executionArgs.contextValue,
          executionArgs.variableValues ?? {},
        )) as ExecutionResult;
        if (!result.errors?.length) return result;
        return executeFn(executionArgs);
      });
    },
  };
}

/** The compiled query, or undefined when the document is not one this plugin runs. */
function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Compiled | undefined {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query' || hasDirectives(document)) return undefined;
  try {
    const { compileQuery, isCompiledQuery } = loadJit();
    const compiled = compileQuery(schema, document, operationName);
    return isCompiledQuery(compiled) ? compiled.query.bind(compiled) : undefined;
  } catch {
    return undefined;
  }
}

function hasDirectives(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.DIRECTIVE]() {
      found = true;
      return BREAK;
    },
  });
  return found;
}
