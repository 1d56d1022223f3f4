/**
 * Who is connected to each session right now, on this instance: a user is present while
 * at least one of their subscriptions to the session is open.
 */
export class PresenceRegistry {
  private readonly sessions = new Map<string, Map<string, number>>();

  /** Marks the user present; returns the function that undoes it (idempotent). */
  enter(sessionId: string, userId: string): () => void {
    let users = this.sessions.get(sessionId);
    if (!users) {
      users = new Map();
      this.sessions.set(sessionId, users);
    }
    users.set(userId, (users.get(userId) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const current = this.sessions.get(sessionId);
      const count = (current?.get(userId) ?? 1) - 1;
      if (!current) return;
      if (count > 0) current.set(userId, count);
      else current.delete(userId);
      if (current.size === 0) this.sessions.delete(sessionId);
    };
  }

  connectedUsers(sessionId: string): string[] {
    return [...(this.sessions.get(sessionId)?.keys() ?? [])].sort();
  }

  /** Sessions with anyone present (for leak checks). */
  get size(): number {
    return this.sessions.size;
  }
}
