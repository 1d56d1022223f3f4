/** Server messages as a test client receives them, with a way to wait for one by type. */
export interface MessageInbox {
  /** Arrived and not yet taken by next(), in arrival order. */
  messages: Record<string, unknown>[];
  /** Records an arrived message. */
  push(message: Record<string, unknown>): void;
  /** Waits for a message of `type` and takes it out of `messages`. */
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function messageInbox(): MessageInbox {
  const messages: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  return {
    messages,
    push(message) {
      messages.push(message);
      for (const listener of listeners) listener();
    },
    next: (type, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find((m) => m.type === type);
          if (!found) return;
          messages.splice(messages.indexOf(found), 1);
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no "${type}" message within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}
