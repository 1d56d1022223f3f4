/**
 * Reply hot state in Redis, shared by every instance: a hash (status, author, length, next
 * index, last append) and a string (the text) per reply, changed only by Lua scripts so an
 * append (check the index, APPEND, publish the delta) is one atomic step. Redis runs the
 * scripts one at a time, so deltas are published in offset order whichever instance took them.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';
import { ENDED_STATE_TTL_MS, type AppendOutcome, type ReplyState, type ReplyStateStore, type ReplyStatus } from './reply-state.ts';

export interface RedisReplyStateOptions {
  redis: Redis;
  /** Key namespace (REDIS_CHANNEL_PREFIX). */
  prefix: string;
  /** The session channel prefix the session hub subscribes to (realtime/index.ts: `<prefix>session:`). */
  channelPrefix: string;
  /** How long a streaming reply's state outlives its last append (longer than the idle timeout). */
  streamingTtlMs: number;
}

// KEYS: meta, text. ARGV: authorId, maxLength, now, ttlMs, channel prefix, messageId, then index/text/length triples.
const APPEND = `
local meta = redis.call('HMGET', KEYS[1], 'status', 'authorId', 'length', 'next', 'sessionId')
if not meta[1] then return {'missing'} end
if meta[2] ~= ARGV[1] then return {'not-author'} end
local length = tonumber(meta[3])
local nextIndex = tonumber(meta[4])
if meta[1] ~= 'STREAMING' then return {'ended', meta[1], length, nextIndex} end
local maxLength = tonumber(ARGV[2])
local start = length
local first = nextIndex
local parts = {}
local stopped = ''
for i = 7, #ARGV, 3 do
  local index = tonumber(ARGV[i])
  if index > nextIndex then stopped = 'OUT_OF_ORDER' break end
  if index == nextIndex then
    local size = tonumber(ARGV[i + 2])
    if length + size > maxLength then stopped = 'TOO_LONG' break end
    parts[#parts + 1] = ARGV[i + 1]
    length = length + size
    nextIndex = nextIndex + 1
  end
end
if nextIndex > first then
  local text = table.concat(parts)
  if #text > 0 then
    redis.call('APPEND', KEYS[2], text)
    redis.call('PUBLISH', ARGV[5] .. meta[5], cjson.encode({type = 'MESSAGE_DELTA', sessionId = meta[5], messageId = ARGV[6], offset = start, text = text}))
  end
  redis.call('HSET', KEYS[1], 'length', length, 'next', nextIndex, 'appendedAt', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return {'appended', stopped, length, nextIndex}
`;

// KEYS: meta, text. ARGV: status, ttlMs. Returns won, then the state fields.
const FINISH = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return nil end
local won = 0
if status == 'STREAMING' then
  redis.call('HSET', KEYS[1], 'status', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  won = 1
end
local meta = redis.call('HMGET', KEYS[1], 'sessionId', 'authorId', 'status', 'length', 'next', 'appendedAt')
return {won, meta[1], meta[2], meta[3], meta[4], meta[5], meta[6], redis.call('GET', KEYS[2]) or ''}
`;

// KEYS: meta, text. Returns the state fields, or nil.
const READ = `
local meta = redis.call('HMGET', KEYS[1], 'sessionId', 'authorId', 'status', 'length', 'next', 'appendedAt')
if not meta[1] then return nil end
return {1, meta[1], meta[2], meta[3], meta[4], meta[5], meta[6], redis.call('GET', KEYS[2]) or ''}
`;

// KEYS: meta, text. ARGV: sessionId, authorId, status, length, next, appendedAt, text, ttlMs.
const OPEN = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'sessionId', ARGV[1], 'authorId', ARGV[2], 'status', ARGV[3], 'length', ARGV[4], 'next', ARGV[5], 'appendedAt', ARGV[6])
redis.call('SET', KEYS[2], ARGV[7], 'PX', ARGV[8])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
return 1
`;

// KEYS: meta, text. ARGV: ttlMs. Shortens the lifetime of an ended reply's state.
const RELEASE = `
if redis.call('HGET', KEYS[1], 'status') == 'STREAMING' then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
`;

type StateReply = [number, string, string, string, string, string, string, string] | null;

function stateOf(reply: StateReply): ReplyState | null {
  if (!reply) return null;
  const [, sessionId, authorId, status, length, nextIndex, appendedAt, text] = reply;
  return {
    sessionId,
    authorId,
    status: status as ReplyStatus,
    length: Number(length),
    nextIndex: Number(nextIndex),
    appendedAt: Number(appendedAt),
    text,
  };
}

/** A Redis failure (down, or slower than REDIS_COMMAND_TIMEOUT_MS): the client retries, appends are idempotent. */
function unavailable(error: unknown): never {
  if (error instanceof AppError) throw error;
  throw new AppError('SERVICE_UNAVAILABLE', 'The stream state is unreachable right now; retry the same request');
}

export function createRedisReplyStateStore({ redis, prefix, channelPrefix, streamingTtlMs }: RedisReplyStateOptions): ReplyStateStore {
  const keys = (messageId: string) => [`${prefix}reply:${messageId}`, `${prefix}reply:${messageId}:text`];
  // EVALSHA (the script's text crosses the wire once per Redis start), EVAL when Redis does not know it yet.
  const shas = new Map<string, string>();
  const run = async <T>(script: string, messageId: string, args: (string | number)[]): Promise<T> => {
    let sha = shas.get(script);
    if (!sha) {
      sha = createHash('sha1').update(script).digest('hex');
      shas.set(script, sha);
    }
    try {
      return (await redis.evalsha(sha, 2, ...keys(messageId), ...args)) as T;
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) return unavailable(error);
      return (redis.eval(script, 2, ...keys(messageId), ...args) as Promise<T>).catch(unavailable);
    }
  };

  return {
    async open(messageId, state) {
      await run<number>(OPEN, messageId, [
        state.sessionId,
        state.authorId,
        state.status,
        state.length,
        state.nextIndex,
        state.appendedAt,
        state.text,
        streamingTtlMs,
      ]);
    },

    async append(messageId, authorId, chunks, maxLength): Promise<AppendOutcome> {
      const triples = chunks.flatMap((chunk) => [chunk.index, chunk.text, chunk.length]);
      const args = [authorId, maxLength, Date.now(), streamingTtlMs, channelPrefix, messageId, ...triples];
      const reply = await run<(string | number)[]>(APPEND, messageId, args);
      const kind = reply[0];
      if (kind === 'missing') return { kind: 'missing' };
      if (kind === 'not-author') return { kind: 'not-author' };
      if (kind === 'ended')
        return { kind: 'ended', status: reply[1] as ReplyStatus, length: Number(reply[2]), nextIndex: Number(reply[3]) };
      const stopped = reply[1] === '' ? null : (reply[1] as 'OUT_OF_ORDER' | 'TOO_LONG');
      return { kind: 'appended', stopped, length: Number(reply[2]), nextIndex: Number(reply[3]) };
    },

    async read(messageId) {
      return stateOf(await run<StateReply>(READ, messageId, []));
    },

    async finish(messageId, status) {
      const reply = await run<StateReply>(FINISH, messageId, [status, ENDED_STATE_TTL_MS]);
      const state = stateOf(reply);
      return state && reply ? { won: reply[0] === 1, state } : null;
    },

    async release(messageId) {
      await run<number>(RELEASE, messageId, [ENDED_STATE_TTL_MS]);
    },

    close() {},
  };
}
