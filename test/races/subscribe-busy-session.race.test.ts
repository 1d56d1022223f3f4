/**
 * A subscriber without `after`/`afterSeq` that joins a busy session (messages arriving
 * all the time) as the first watcher on its instance gets only messages stored after it
 * subscribed: nothing acknowledged before it sent its subscribe, and, from its first
 * message on, every later message with no gap. With and without Redis, on each database.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { uniqueUser } from '../support/chat-fixture.ts';
import { cleanPrefix, redisTestsEnabled, redisUrl, uniquePrefix } from '../support/redis.ts';
import { useRacingServers } from '../support/racing-servers.ts';
import { testedProviders } from '../support/server.ts';
import { connectWs, subscribe, type Subscription, type WsClient } from '../support/ws-client.ts';
import { RACE_TIMEOUT_MS } from '../support/racing-servers.ts';

const RECEIVED = `subscription($sessionId: ID!) { messageReceived(sessionId: $sessionId) { seq content } }`;
interface Received {
  messageReceived: { seq: number; content: string };
}

const ROUNDS = 8;
const HISTORY = 40;
const SEND_LOOPS = 6;
/** Sends acknowledged while busy before the subscribe, and after its first event. */
const BUSY_SENDS = 10;

const redis = await redisTestsEnabled();
const variants = testedProviders().flatMap((provider) => [
  { provider, pubsub: 'memory' as const },
  ...(redis ? [{ provider, pubsub: 'redis' as const }] : []),
]);

describe.each(variants)('subscribing to a busy session ($provider, $pubsub pubsub)', ({ provider, pubsub }) => {
  const prefix = uniquePrefix();
  const env: Record<string, string> = {
    MESSAGES_PER_MINUTE: '0',
    ...(pubsub === 'redis' ? { REDIS_URL: redisUrl, REDIS_CHANNEL_PREFIX: prefix } : {}),
  };
  const servers = useRacingServers(provider, env);
  // Without Redis only the subscriber's own instance publishes to it.
  const senders = pubsub === 'redis' ? [0, 1] : [0];
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(async () => {
    if (pubsub === 'redis') await cleanPrefix(prefix);
  });

  const rounds = Array.from({ length: ROUNDS }, (_, round) => round);
  it.each(rounds)(
    'round %i: delivers nothing older than the subscription and no gap after it',
    async () => {
      const user = uniqueUser('watcher');
      const sessionId = await servers.createSession(user);
      await Promise.all(Array.from({ length: HISTORY }, (_, i) => servers.send(i, user, sessionId, `history ${i}`)));

      const acked: number[] = [];
      const ackWaiters = new Set<() => void>();
      const whenAcked = (count: number) =>
        new Promise<void>((resolve) => {
          const check = () => acked.length >= count && (ackWaiters.delete(check), resolve());
          ackWaiters.add(check);
          check();
        });
      let sending = true;
      const loops = Promise.all(
        Array.from({ length: SEND_LOOPS }, async (_, loop) => {
          for (let i = 0; sending; i++) {
            const { seq } = await servers.send(senders[(loop + i) % senders.length] as number, user, sessionId, `busy ${loop}.${i}`);
            acked.push(seq);
            for (const waiter of ackWaiters) waiter();
          }
        }),
      );
      let ackedBeforeSubscribe: number;
      let first: number;
      let sub: Subscription<Received>;
      try {
        await whenAcked(BUSY_SENDS);
        const ws = connectWs(servers.local.wsUrl, { authorization: `Bearer ${await servers.local.token(user)}` });
        clients.push(ws);
        ackedBeforeSubscribe = Math.max(...acked);
        sub = subscribe<Received>(ws.client, RECEIVED, { sessionId });
        first = (await sub.waitFor(1, 10_000))[0]!.messageReceived.seq;
        await whenAcked(acked.length + BUSY_SENDS);
      } finally {
        sending = false;
        await loops;
      }
      const marker = await servers.send(0, user, sessionId, 'marker');
      await waitForSeq(sub, marker.seq);

      const received = sub.events.map((event) => event.messageReceived.seq);
      expect({
        olderThanSubscribe: received.filter((seq) => seq <= ackedBeforeSubscribe),
        missingAfterFirst: [...acked, marker.seq].filter((seq) => seq > first && !received.includes(seq)),
        outOfOrder: received.filter((seq, i) => i > 0 && seq <= received[i - 1]!),
      }).toEqual({ olderThanSubscribe: [], missingAfterFirst: [], outOfOrder: [] });
    },
    RACE_TIMEOUT_MS,
  );
});

/** Waits until the subscription delivered the message with `seq` (or later). */
async function waitForSeq(sub: Subscription<Received>, seq: number): Promise<void> {
  for (;;) {
    if (sub.events.some((event) => event.messageReceived.seq >= seq)) return;
    await sub.waitFor(sub.events.length + 1, 10_000);
  }
}
