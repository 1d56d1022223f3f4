/** Reply hot state in process memory (no Redis): exact for one instance, per instance for several. */
import type { ChatEvent } from './events.ts';
import { ENDED_STATE_TTL_MS, type AppendOutcome, type ReplyState, type ReplyStateStore } from './reply-state.ts';

export function createMemoryReplyStateStore(publish: (event: ChatEvent) => void): ReplyStateStore {
  const states = new Map<string, ReplyState>();
  const expiries = new Map<string, NodeJS.Timeout>();
  const copy = (state: ReplyState): ReplyState => ({ ...state });

  return {
    async open(messageId, state) {
      if (!states.has(messageId)) states.set(messageId, copy(state));
    },

    async append(messageId, authorId, chunks, maxLength): Promise<AppendOutcome> {
      const state = states.get(messageId);
      if (!state) return { kind: 'missing' };
      if (state.authorId !== authorId) return { kind: 'not-author' };
      if (state.status !== 'STREAMING') return { kind: 'ended', status: state.status, length: state.length, nextIndex: state.nextIndex };
      const start = state.length;
      const firstIndex = state.nextIndex;
      let text = '';
      let stopped: 'OUT_OF_ORDER' | 'TOO_LONG' | null = null;
      for (const chunk of chunks) {
        if (chunk.index < state.nextIndex) continue; // a retry: stored already
        if (chunk.index > state.nextIndex) {
          stopped = 'OUT_OF_ORDER';
          break;
        }
        if (state.length + chunk.length > maxLength) {
          stopped = 'TOO_LONG';
          break;
        }
        text += chunk.text;
        state.length += chunk.length;
        state.nextIndex++;
      }
      if (state.nextIndex > firstIndex) state.appendedAt = Date.now();
      if (text.length > 0) {
        state.text += text;
        publish({ type: 'MESSAGE_DELTA', sessionId: state.sessionId, messageId, offset: start, text });
      }
      return { kind: 'appended', length: state.length, nextIndex: state.nextIndex, stopped };
    },

    async read(messageId) {
      const state = states.get(messageId);
      return state ? copy(state) : null;
    },

    async finish(messageId, status) {
      const state = states.get(messageId);
      if (!state) return null;
      if (state.status !== 'STREAMING') return { won: false, state: copy(state) };
      state.status = status;
      return { won: true, state: copy(state) };
    },

    async release(messageId) {
      if (expiries.has(messageId)) return;
      const timer = setTimeout(() => {
        states.delete(messageId);
        expiries.delete(messageId);
      }, ENDED_STATE_TTL_MS);
      timer.unref();
      expiries.set(messageId, timer);
    },

    close() {
      for (const timer of expiries.values()) clearTimeout(timer);
      expiries.clear();
      states.clear();
    },
  };
}
