/**
 * CONNECTIONS_PER_USER: open real-time connections per user on this instance. One counter is
 * shared by every transport (graphql-ws and Socket.IO), so a user cannot double the limit by
 * mixing them.
 */

/** The per-user counter. */
export interface ConnectionSlots {
  /** Claims a slot for the user; false when the user is at the limit. */
  claim(userId: string): boolean;
  /** Frees one slot the user claimed: call it exactly once per successful claim (a graphql-ws connection keeps no closure for it). */
  release(userId: string): void;
}

/** Claims a slot for the user; returns the release function (idempotent), or null when the user is at the limit. */
export type ClaimConnectionSlot = (userId: string) => (() => void) | null;

export function perUserSlots(limit: number): ConnectionSlots {
  const perUser = new Map<string, number>();
  return {
    claim(userId) {
      const open = perUser.get(userId) ?? 0;
      if (open >= limit) return false;
      perUser.set(userId, open + 1);
      return true;
    },
    release(userId) {
      const left = (perUser.get(userId) ?? 1) - 1;
      if (left > 0) perUser.set(userId, left);
      else perUser.delete(userId);
    },
  };
}

/** The same counter, each claim handing back its own idempotent release function (Socket.IO keeps one per socket). */
export function claimWithRelease(slots: ConnectionSlots): ClaimConnectionSlot {
  return (userId) => {
    if (!slots.claim(userId)) return null;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      slots.release(userId);
    };
  };
}
