/**
 * CONNECTIONS_PER_USER: open real-time connections per user on this instance. One counter is
 * shared by every transport (graphql-ws and Socket.IO), so a user cannot double the limit by
 * mixing them.
 */

/** Claims a slot for the user; returns the release function (idempotent), or null when the user is at the limit. */
export type ClaimConnectionSlot = (userId: string) => (() => void) | null;

export function perUserSlots(limit: number): ClaimConnectionSlot {
  const perUser = new Map<string, number>();
  return (userId) => {
    const open = perUser.get(userId) ?? 0;
    if (open >= limit) return null;
    perUser.set(userId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (perUser.get(userId) ?? 1) - 1;
      if (left > 0) perUser.set(userId, left);
      else perUser.delete(userId);
    };
  };
}
