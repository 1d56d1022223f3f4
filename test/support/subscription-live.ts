/**
 * Waiting for a subscription to be live, instead of sleeping: graphql-transport-ws has no
 * per-subscription acknowledgement, so these poll a server state that only changes once
 * the server has joined the subscriber to the session's event stream.
 */
import { Redis } from 'ioredis';
import type { TestServer } from './server.ts';
import { eventually } from './ws-client.ts';

/**
 * Resolves once at least `count` distinct users are present in the session on this
 * in-process server. Presence is entered after the stream joined the session hub, so a
 * message sent afterwards reaches those subscriptions. Distinct users: two subscriptions
 * of one user count once.
 */
export async function waitForPresence(server: TestServer, sessionId: string, count: number, timeoutMs = 10_000): Promise<void> {
  await eventually(
    async () => (await server.app.realtime.presence.connectedUsers(sessionId)).length >= count,
    timeoutMs,
    `fewer than ${count} users subscribed to session ${sessionId} within ${timeoutMs} ms`,
  );
}

/** Resolves once `PUBSUB NUMSUB channel` reports exactly `count` subscribers (Redis connections, i.e. instances). */
export async function waitForRedisSubscribers(redisUrl: string, channel: string, count: number, timeoutMs = 10_000): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    await eventually(
      async () => Number((await redis.pubsub('NUMSUB', channel))[1]) === count,
      timeoutMs,
      `Redis channel ${channel} did not reach ${count} subscribers within ${timeoutMs} ms`,
    );
  } finally {
    redis.disconnect();
  }
}
