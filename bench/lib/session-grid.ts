/** Users laid out in sessions of equal size: user i belongs to session ⌊i / members⌋, the session's first user owns it. */
import type { SeedSession } from './databases.ts';

export interface SessionGrid {
  users: string[];
  sessionIds: string[];
  /** Session index of every user (the fan-out "channel"). */
  sessionOfUser: number[];
  /** First member of every session (its owner, who sends). */
  ownerOf: string[];
  seed: SeedSession[];
}

export function sessionGrid(prefix: string, sessions: number, members: number): SessionGrid {
  const users = Array.from({ length: sessions * members }, (_, i) => `${prefix}-u${i}`);
  const sessionIds = Array.from({ length: sessions }, (_, c) => `${prefix}-session-${c}`);
  const sessionOfUser = users.map((_, i) => Math.floor(i / members));
  const ownerOf = sessionIds.map((_, c) => users[c * members]!);
  const seed = sessionIds.map((id, c) => ({ id, ownerId: ownerOf[c]!, participantIds: users.slice(c * members, (c + 1) * members) }));
  return { users, sessionIds, sessionOfUser, ownerOf, seed };
}
