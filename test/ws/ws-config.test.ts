import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('WebSocket resource configuration', () => {
  it('has documented defaults', () => {
    const { realtime } = loadConfig({});
    expect([realtime.maxActiveOperations, realtime.maxBufferedBytes]).toEqual([100, 4 * 1024 * 1024]);
  });

  it('reads WS_MAX_SUBSCRIPTIONS and rejects values that are not positive integers', () => {
    expect(loadConfig({ WS_MAX_SUBSCRIPTIONS: '3' }).realtime.maxActiveOperations).toBe(3);
    expect(() => loadConfig({ WS_MAX_SUBSCRIPTIONS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ WS_MAX_SUBSCRIPTIONS: 'many' })).toThrow(/WS_MAX_SUBSCRIPTIONS must be an integer between 1 and 100000/);
  });
});
