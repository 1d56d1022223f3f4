import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations clients (and our tests) use: test/operations/*.graphql
 * → src/generated/operations.ts, checked against the committed schema.graphql.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  generates: {
    'src/generated/operations.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
      },
    },
  },
  silent: true,
};

export default config;
