/**
 * `npm run cluster`: two instances on one PostgreSQL database and one Redis. A message
 * sent through one instance reaches a graphql-ws subscriber of the other, and SIGTERM to
 * npm stops the whole tree.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateSessionDocument, SendMessageDocument } from '../../src/generated/operations.ts';
import { ensureBuilt, repoRoot } from '../support/build.ts';
import { startCommand, waitForReady, type RunningCommand } from '../support/command.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { freePort } from '../support/ports.ts';
import { dropDatabase, postgresUrlFor, postgresWanted } from '../support/postgres.ts';
import { killTree, portAccepts, processTree, waitUntilGone } from '../support/process-tree.ts';
import { cleanPrefix, redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';
import { connectWs, eventually, subscribe } from '../support/ws-client.ts';

const enabled = postgresWanted() && (await redisTestsEnabled());
const RECEIVED = `subscription($s: ID!) { messageReceived(sessionId: $s) { id seq content } }`;

describe.runIf(enabled)('npm run cluster', () => {
  const database = `chat_cluster_${process.pid}_${Date.now().toString(36)}`;
  const prefix = uniquePrefix();
  let dataDir: string;
  let ports: number[];
  let cluster: RunningCommand;
  let tree: number[] = [];
  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-cluster-'));
    ports = [await freePort(), await freePort()];
    cluster = startCommand('npm', ['run', 'cluster'], {
      cwd: repoRoot,
      env: {
        CLUSTER_PORTS: ports.join(','),
        HOST: '127.0.0.1',
        // A database of its own, which the script creates and migrates.
        DATABASE_URL: postgresUrlFor(database),
        REDIS_URL: redisUrl,
        REDIS_CHANNEL_PREFIX: prefix,
        RATE_LIMIT_REDIS_PREFIX: `${prefix}ratelimit:`,
        JWT_SECRET: TEST_JWT_SECRET,
        DATA_DIR: dataDir,
      },
    });
    await cluster.waitForLine(/^cluster ready:/, 90_000);
    await Promise.all(ports.map((port) => waitForReady(`http://127.0.0.1:${port}`, 10_000)));
  }, 180_000);
  afterAll(async () => {
    killTree(tree.length > 0 ? tree : cluster ? processTree(cluster.pid) : []);
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase(database);
    await cleanPrefix(prefix);
  });

  it('delivers a message sent to one instance to a subscriber on the other', async () => {
    const [a, b] = ports.map((port) => `127.0.0.1:${port}/graphql`) as [string, string];
    const token = await mintToken('cluster-alice');
    const sessionId = dataOf(await graphql(`http://${a}`, CreateSessionDocument, { input: { title: 'cluster' } }, { token })).createSession
      .id;
    const ws = connectWs(`ws://${b}`, { token });
    try {
      const sub = subscribe<{ messageReceived: { content: string } }>(ws.client, RECEIVED, { s: sessionId });
      // Live once instance B has joined the stream to the session (presence is entered after the join, and
      // shared through Redis, so instance A sees it); listening on the Redis channel alone is not yet live.
      await eventually(async () => {
        const body = await graphql<{ sessionInfo: { connectedUserIds: string[] } }>(
          `http://${a}`,
          'query($s: ID!) { sessionInfo(sessionId: $s) { connectedUserIds } }',
          { s: sessionId },
          { token },
        );
        return body.data?.sessionInfo.connectedUserIds.includes('cluster-alice') ?? false;
      }, 15_000);
      dataOf(await graphql(`http://${a}`, SendMessageDocument, { sessionId, input: { content: 'across instances' } }, { token }));
      const events = await sub.waitFor(1, 10_000);
      expect(events[0]?.messageReceived.content).toBe('across instances');
    } finally {
      await ws.dispose();
    }
  });

  it('stops both instances and itself when npm gets SIGTERM', async () => {
    tree = processTree(cluster.pid);
    expect(tree.length).toBeGreaterThanOrEqual(4); // npm, the cluster script, two servers
    process.kill(cluster.pid, 'SIGTERM');
    await waitUntilGone(tree, 20_000);
    for (const port of ports) expect(await portAccepts(port)).toBe(false);
  });
});
