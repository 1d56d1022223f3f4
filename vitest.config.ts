import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module). Node resolves packages in node_modules
    // (Pothos, Yoga) to the CJS build; make Vite resolve ours to the same single instance.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers, sockets and databases are real: a couple of files at a time suits 2 cores.
    maxWorkers: 2,
  },
});
