/**
 * The active operations of one connection by client id. Most connections run one at a time,
 * so that one is held in a field; a Map (≈ 200–500 B even with one entry) is made only
 * when a second is active at once, and kept from then on.
 */
export class OperationTable<T extends { readonly id: string }> {
  private only: T | null = null;
  private many: Map<string, T> | null = null;

  get size(): number {
    if (this.many) return this.many.size;
    return this.only ? 1 : 0;
  }

  get(id: string): T | undefined {
    if (this.many) return this.many.get(id);
    return this.only?.id === id ? this.only : undefined;
  }

  /** Adds `operation` (its id is not in the table). */
  add(operation: T): void {
    if (this.many) {
      this.many.set(operation.id, operation);
    } else if (!this.only) {
      this.only = operation;
    } else {
      this.many = new Map([[this.only.id, this.only]]);
      this.only = null;
      this.many.set(operation.id, operation);
    }
  }

  delete(id: string): void {
    if (this.many) this.many.delete(id);
    else if (this.only?.id === id) this.only = null;
  }

  /** Empties the table; returns what it held. */
  clear(): T[] {
    const all = this.many ? [...this.many.values()] : this.only ? [this.only] : [];
    this.many?.clear();
    this.only = null;
    return all;
  }
}
