/**
 * The documents Yoga has parsed and validated without an error, by their text, for the HTTP
 * fast path (src/http/graphql-fast-path.ts): a repeat of one skips parsing and validation.
 * Only Yoga's own verdict fills it, taken from the end of its validation (every limit,
 * depth, cost and introspection rule has run), and nothing but the text decides that
 * verdict: the rules are fixed when the server starts.
 */
import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Accepted documents kept; past this many the cache starts over (a client inventing queries cannot grow it). */
const MAX_DOCUMENTS = 1000;

export interface AcceptedDocuments {
  /** The document of `query` when Yoga accepted that text before. */
  get(query: string): DocumentNode | undefined;
  /** Learns from Yoga's validation; add it to Yoga's plugins. */
  plugin: Plugin;
}

export function createAcceptedDocuments(): AcceptedDocuments {
  const documents = new Map<string, DocumentNode>();
  return {
    get: (query) => documents.get(query),
    plugin: {
      onValidate({ context, params }) {
        const query = (context as { params?: { query?: unknown } }).params?.query;
        if (typeof query !== 'string') return;
        const document = params.documentAST;
        return ({ valid }) => {
          if (!valid || documents.has(query)) return;
          if (documents.size >= MAX_DOCUMENTS) documents.clear();
          documents.set(query, document);
        };
      },
    },
  };
}
