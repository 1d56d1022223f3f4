/**
 * Which modules a real server process loads: src/main.ts started as a child with
 * module-probe.mjs preloaded; the list is read when it stops.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { startChildServer, type ChildServer } from './child-server.ts';
import { graphql } from './graphql-client.ts';
import { mintToken, TEST_JWT_SECRET } from './tokens.ts';

const probe = fileURLToPath(new URL('./module-probe.mjs', import.meta.url));

/** A child server (src/main.ts) whose loaded modules are recorded; `stop` returns them. */
export interface ProbedServer {
  server: ChildServer;
  stop(): Promise<string[]>;
}

/** Starts src/main.ts on `database` (with `env` on top) with module-probe.mjs preloaded. */
export async function startProbedServer(
  database: { url: string; dataDir: string },
  env: Record<string, string> = {},
): Promise<ProbedServer> {
  const probeDir = mkdtempSync(join(tmpdir(), 'module-probe-'));
  const probeFile = join(probeDir, 'modules.json');
  const removeProbe = () => rmSync(probeDir, { recursive: true, force: true });
  let server: ChildServer;
  try {
    server = await startChildServer({
      DATABASE_URL: database.url,
      DATA_DIR: database.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'silent',
      NODE_OPTIONS: `--import=${probe}`,
      MODULE_PROBE_FILE: probeFile,
      ...env,
    });
  } catch (error) {
    removeProbe();
    throw error;
  }
  return {
    server,
    async stop() {
      try {
        await server.stop();
        return JSON.parse(readFileSync(probeFile, 'utf8')) as string[];
      } finally {
        removeProbe();
      }
    },
  };
}

/** Starts src/main.ts on `database` (with `env` on top), answers one query, stops; returns the modules it loaded. */
export async function modulesLoadedByServer(
  database: { url: string; dataDir: string },
  env: Record<string, string> = {},
): Promise<string[]> {
  const probed = await startProbedServer(database, env);
  let answer: Awaited<ReturnType<typeof graphql>>;
  try {
    answer = await graphql(
      probed.server.graphqlUrl,
      '{ sessions(first: 1) { edges { node { id } } } }',
      {},
      { token: await mintToken('module-probe') },
    );
  } catch (error) {
    await probed.stop();
    throw error;
  }
  const modules = await probed.stop();
  expect(answer.errors).toBeUndefined();
  return modules;
}
