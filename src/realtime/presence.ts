/**
 * Who is connected to each session right now: a user is present while at least one of
 * their subscriptions to the session is open. Counted locally; with Redis, each
 * instance also mirrors its present users into a hash per session, so any instance can
 * answer for all of them (entries of an instance that stopped heartbeating are ignored).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';

export interface PresenceRegistry {
  /** Marks the user present (once more: each enter is undone by one leave). */
  enter(sessionId: string, userId: string): void;
  /** Undoes one enter; call it exactly once per enter (no closure per entry to make it idempotent). */
  leave(sessionId: string, userId: string): void;
  /** Users connected to the session on any instance, sorted. */
  connectedUsers(sessionId: string): Promise<string[]>;
  /** Sessions with anyone present on this instance (for leak checks). */
  readonly size: number;
  close(): Promise<void>;
}

/** Local counts per session and user; `onFirst`/`onLast` fire when a user arrives or leaves. */
class LocalPresence {
  readonly sessions = new Map<string, Map<string, number>>();

  constructor(
    private readonly onFirst: (sessionId: string, userId: string) => void = () => {},
    private readonly onLast: (sessionId: string, userId: string) => void = () => {},
  ) {}

  enter(sessionId: string, userId: string): void {
    let users = this.sessions.get(sessionId);
    if (!users) {
      users = new Map();
      this.sessions.set(sessionId, users);
    }
    const count = (users.get(userId) ?? 0) + 1;
    users.set(userId, count);
    if (count === 1) this.onFirst(sessionId, userId);
  }

  leave(sessionId: string, userId: string): void {
    const current = this.sessions.get(sessionId);
    if (!current) return;
    const remaining = (current.get(userId) ?? 1) - 1;
    if (remaining > 0) return void current.set(userId, remaining);
    current.delete(userId);
    if (current.size === 0) this.sessions.delete(sessionId);
    this.onLast(sessionId, userId);
  }

  users(sessionId: string): string[] {
    return [...(this.sessions.get(sessionId)?.keys() ?? [])];
  }
}

export function createMemoryPresence(): PresenceRegistry {
  const local = new LocalPresence();
  return {
    enter: (sessionId, userId) => local.enter(sessionId, userId),
    leave: (sessionId, userId) => local.leave(sessionId, userId),
    connectedUsers: async (sessionId) => local.users(sessionId).sort(),
    get size() {
      return local.sessions.size;
    },
    close: async () => {},
  };
}

export interface RedisPresenceOptions {
  redis: Redis;
  prefix: string;
  instanceId: string;
  logger: Logger;
  /** How often this instance renews its liveness key (ms); the key lives three times as long. */
  heartbeatMs?: number;
}

export function createRedisPresence({ redis, prefix, instanceId, logger, heartbeatMs = 10_000 }: RedisPresenceOptions): PresenceRegistry {
  const hashKey = (sessionId: string) => `${prefix}presence:${sessionId}`;
  const aliveKey = (id: string) => `${prefix}instance:${id}`;
  const field = (userId: string) => `${instanceId}\u0000${userId}`;
  const warn = (error: unknown) => logger.warn('presence update failed', { error: String(error) });
  const local = new LocalPresence(
    (sessionId, userId) => void redis.hset(hashKey(sessionId), field(userId), '1').catch(warn),
    (sessionId, userId) => void redis.hdel(hashKey(sessionId), field(userId)).catch(warn),
  );
  const beat = () => void redis.set(aliveKey(instanceId), '1', 'PX', heartbeatMs * 3).catch(warn);
  /** (Re)writes this instance's liveness and every local entry: Redis may have restarted empty. */
  const publishAll = () => {
    const pipeline = redis.pipeline();
    pipeline.set(aliveKey(instanceId), '1', 'PX', heartbeatMs * 3);
    for (const [sessionId, users] of local.sessions) {
      for (const userId of users.keys()) pipeline.hset(hashKey(sessionId), field(userId), '1');
    }
    pipeline.exec().catch(warn);
  };
  // The connection may still be opening (commands are not queued while offline): publish once ready, and after reconnects.
  if (redis.status === 'ready') publishAll();
  redis.on('ready', publishAll);
  const timer = setInterval(beat, heartbeatMs);
  timer.unref();

  return {
    enter: (sessionId, userId) => local.enter(sessionId, userId),
    leave: (sessionId, userId) => local.leave(sessionId, userId),
    async connectedUsers(sessionId) {
      try {
        const fields = await redis.hkeys(hashKey(sessionId));
        const entries = fields.map((f) => ({ f, instance: f.split('\u0000')[0]!, user: f.slice(f.indexOf('\u0000') + 1) }));
        const instances = [...new Set(entries.map((e) => e.instance))];
        const alive = instances.length ? await redis.mget(...instances.map(aliveKey)) : [];
        const live = new Set(instances.filter((_, i) => alive[i] !== null));
        const stale = entries.filter((e) => !live.has(e.instance)).map((e) => e.f);
        if (stale.length) void redis.hdel(hashKey(sessionId), ...stale).catch(warn);
        return [...new Set(entries.filter((e) => live.has(e.instance)).map((e) => e.user))].sort();
      } catch (error) {
        warn(error);
        return local.users(sessionId).sort();
      }
    },
    get size() {
      return local.sessions.size;
    },
    async close() {
      clearInterval(timer);
      redis.off('ready', publishAll);
      const pipeline = redis.pipeline();
      for (const [sessionId, users] of local.sessions) {
        for (const userId of users.keys()) pipeline.hdel(hashKey(sessionId), field(userId));
      }
      pipeline.del(aliveKey(instanceId));
      await pipeline.exec().catch(warn);
    },
  };
}
