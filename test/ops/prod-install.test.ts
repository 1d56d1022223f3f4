/**
 * The production layout: scripts/prod-install.sh (what the Dockerfile's build stage runs)
 * yields a folder with dist/ and production dependencies only, and the built server runs
 * from there with plain node, as the image's CMD does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { repoRoot } from '../support/build.ts';
import { startCommand, waitForReady } from '../support/command.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { freePort } from '../support/ports.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';

describe('scripts/prod-install.sh', () => {
  let scratch: string;
  let app: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'chat-prod-'));
    app = join(scratch, 'app');
    execFileSync('bash', ['scripts/prod-install.sh', app], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  }, 300_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('leaves out the sources and every development-only package', () => {
    expect(existsSync(join(app, 'dist/src/main.js'))).toBe(true);
    expect(existsSync(join(app, 'dist/prisma/sqlite/migrations/migration_lock.toml'))).toBe(true);
    expect(existsSync(join(app, 'src'))).toBe(false);
    for (const devOnly of ['typescript', 'tsx', 'prisma', 'vitest', '@graphql-codegen/cli', 'esbuild']) {
      expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    for (const runtime of ['graphql-ws', 'better-sqlite3', '@prisma/client', '@prisma/schema-engine-wasm']) {
      expect(existsSync(join(app, 'node_modules', runtime)), runtime).toBe(true);
    }
  });

  it('serves from there with plain node: migrates, answers /readyz and GraphQL, stops on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = join(scratch, 'data');
    const server = startCommand(process.execPath, ['dist/src/main.js'], {
      cwd: app,
      env: {
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: `file:${join(dataDir, 'chat.db')}`,
        JWT_SECRET: TEST_JWT_SECRET,
      },
    });
    try {
      await server.waitForLine(/listening on/, 30_000);
      await waitForReady(`http://127.0.0.1:${port}`, 10_000);
      const url = `http://127.0.0.1:${port}/graphql`;
      const token = await mintToken('prod-alice');
      const sessionId = dataOf(await graphql(url, CreateSessionDocument, { input: { title: 'prod' } }, { token })).createSession.id;
      const sent = dataOf(await graphql(url, SendMessageDocument, { sessionId, input: { content: 'hello from dist' } }, { token }));
      expect(sent.sendMessage.seq).toBe(1);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it('runs the token script from there', () => {
    const token = execFileSync(process.execPath, ['dist/scripts/token.js', 'prod-bob'], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: join(scratch, 'data') },
      encoding: 'utf8',
    }).trim();
    expect(token.split('.')).toHaveLength(3);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const runs = [...dockerfile.matchAll(/^RUN (.+)$/gm)].map((match) => match[1]);

  it('builds with the same production-install script the tests above run', () => {
    expect(runs).toContain('npm ci --no-audit --no-fund');
    expect(runs).toContain('bash scripts/prod-install.sh /out');
    expect(dockerfile).toMatch(/^COPY --from=build \/out \.\/$/m);
  });

  it('runs as a non-root user, with a health check on /readyz and plain node as PID 1', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/readyz/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
  });
});
