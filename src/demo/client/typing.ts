/**
 * Typing indicators both ways. Outgoing: `setTyping(true)` when the user starts typing,
 * renewed every RENEW_MS while they keep going (the server expires an unrenewed true after
 * TYPING_TIMEOUT_MS, 5 s by default), and `false` when they send, clear the field or pause
 * for IDLE_MS. Incoming: who else is typing, shown under the messages.
 */
import type { Connection } from './connection.ts';
import { SET_TYPING } from './documents.ts';

const RENEW_MS = 2500;
const IDLE_MS = 4000;

export interface TypingSender {
  /** The composer's text changed. */
  changed(text: string): void;
  /** The user sent (or left): stop showing them as typing. */
  stopped(): void;
}

export function createTypingSender(connection: Connection, sessionId: string): TypingSender {
  let typingSince = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  // One change at a time: separate HTTP requests could overtake each other and leave a stale `true` shown.
  let sending: Promise<unknown> = Promise.resolve();
  const send = (isTyping: boolean): void => {
    sending = sending.then(() => connection.urql.mutation(SET_TYPING, { sessionId, isTyping }).toPromise()).catch(() => undefined);
  };

  function stopped(): void {
    clearTimeout(idleTimer);
    if (typingSince === 0) return;
    typingSince = 0;
    send(false);
  }

  return {
    changed(text) {
      if (text.trim() === '') return stopped();
      clearTimeout(idleTimer);
      idleTimer = setTimeout(stopped, IDLE_MS);
      const now = Date.now();
      if (typingSince !== 0 && now - typingSince < RENEW_MS) return;
      typingSince = now;
      send(true);
    },
    stopped,
  };
}

/** Who is typing now, as the line under the messages says it. */
export function describeTyping(userIds: ReadonlySet<string>): string {
  const names = [...userIds].sort();
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
}
