/**
 * `npm start` — the README's command — stops gracefully on SIGTERM sent to npm itself (as a
 * process manager or `kill` does): the serving process handles the signal, and no process
 * of the tree is left behind holding the port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../support/build.ts';
import { startCommand, waitForReady, type RunningCommand } from '../support/command.ts';
import { freePort } from '../support/ports.ts';
import { killTree, portAccepts, processTree, waitUntilGone } from '../support/process-tree.ts';

describe('npm start', () => {
  let dataDir: string;
  let running: RunningCommand | undefined;
  let tree: number[] = [];
  beforeAll(() => ensureBuilt(), 120_000);
  afterEach(() => {
    killTree(tree);
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops every process of the tree and frees the port when npm gets ${signal}`, async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'chat-ops-'));
      const port = await freePort();
      running = startCommand('npm', ['start'], {
        cwd: repoRoot,
        env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: `file:${join(dataDir, 'chat.db')}` },
      });
      await running.waitForLine(/listening on/, 60_000);
      await waitForReady(`http://127.0.0.1:${port}`, 10_000);
      tree = processTree(running.pid);
      expect(tree.length).toBeGreaterThan(1); // npm and the server under it

      process.kill(running.pid, signal);
      await waitUntilGone(tree, 15_000);
      expect(await portAccepts(port)).toBe(false);
      expect(running.output).toContain(`"shutting down","signal":"${signal}"`);
    });
  }
});
