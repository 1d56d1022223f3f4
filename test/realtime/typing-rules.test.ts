import { describe, expect, it } from 'vitest';
import { typingStep } from '../../src/services/typing-rules.ts';

const policy = { throttleMs: 1000, timeoutMs: 5000 };

describe('typing rules', () => {
  it('announces a first isTyping: true, and again once the throttle has passed', () => {
    expect(typingStep(true, null, 10_000, policy)).toBe('announce');
    expect(typingStep(true, 9_000, 10_000, policy)).toBe('announce');
  });

  it('only renews an isTyping: true repeated within the throttle', () => {
    expect(typingStep(true, 9_500, 10_000, policy)).toBe('extend');
  });

  it('hides on isTyping: false, whenever it comes', () => {
    expect(typingStep(false, 9_999, 10_000, policy)).toBe('hide');
    expect(typingStep(false, null, 10_000, policy)).toBe('hide');
  });
});
