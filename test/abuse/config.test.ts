import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('abuse-resistance configuration', () => {
  it('has documented defaults outside production', () => {
    const config = loadConfig({});
    expect(config.rateLimits).toEqual({ messagesPerMinute: 60, typingEventsPer10s: 20, redisKeyPrefix: 'chat:ratelimit:' });
    expect(config.operationLimits).toEqual({
      maxDepth: 10,
      maxAliases: 15,
      maxCost: 20000,
      maxDirectives: 20,
      maxTokens: 1000,
      maxBatchOperations: 0,
      maxBodyBytes: 262_144,
      maxHeaderBytes: 16_384,
    });
    expect(config.exposure).toEqual({ introspection: true, graphiql: true, fieldSuggestions: true, csrfPrevention: false });
    expect([config.shutdownTimeoutMs, config.redisCommandTimeoutMs]).toEqual([10_000, 250]);
  });

  it('closes the schema to strangers in production unless told otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).exposure).toEqual({
      introspection: false,
      graphiql: false,
      fieldSuggestions: false,
      csrfPrevention: true,
    });
    expect(
      loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', GRAPHIQL: '1', CSRF_PREVENTION: 'false' }).exposure,
    ).toMatchObject({
      introspection: true,
      graphiql: true,
      csrfPrevention: false,
    });
  });

  it('rejects values that are not numbers or booleans with the variable named', () => {
    expect(() => loadConfig({ MESSAGES_PER_MINUTE: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAX_QUERY_DEPTH: 'deep' })).toThrow(/MAX_QUERY_DEPTH/);
    expect(() => loadConfig({ MAX_BODY_BYTES: '10' })).toThrow(/MAX_BODY_BYTES must be an integer between 1024/);
    expect(() => loadConfig({ GRAPHIQL: 'yes' })).toThrow(/GRAPHIQL must be true or false/);
  });
});
