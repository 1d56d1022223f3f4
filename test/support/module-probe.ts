/**
 * Which modules a real server process loads: src/main.ts started as a child with
 * module-probe.mjs preloaded, one GraphQL query answered, then stopped.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { startChildServer } from './child-server.ts';
import { graphql } from './graphql-client.ts';
import { mintToken, TEST_JWT_SECRET } from './tokens.ts';

const probe = fileURLToPath(new URL('./module-probe.mjs', import.meta.url));

/** Starts src/main.ts on `database` (with `env` on top), answers one query, stops; returns the modules it loaded. */
export async function modulesLoadedByServer(
  database: { url: string; dataDir: string },
  env: Record<string, string> = {},
): Promise<string[]> {
  const probeDir = mkdtempSync(join(tmpdir(), 'module-probe-'));
  const probeFile = join(probeDir, 'modules.json');
  try {
    const server = await startChildServer({
      DATABASE_URL: database.url,
      DATA_DIR: database.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'silent',
      NODE_OPTIONS: `--import=${probe}`,
      MODULE_PROBE_FILE: probeFile,
      ...env,
    });
    const answer = await graphql(
      server.graphqlUrl,
      '{ sessions(first: 1) { edges { node { id } } } }',
      {},
      { token: await mintToken('module-probe') },
    );
    expect(answer.errors).toBeUndefined();
    await server.stop();
    return JSON.parse(readFileSync(probeFile, 'utf8')) as string[];
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}
