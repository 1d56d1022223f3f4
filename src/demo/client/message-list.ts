/**
 * The messages of the open conversation: one entry per message id, kept in seq order, each
 * drawn by renderMessage. Every way a message arrives (a history page, the send result,
 * the live subscription, its replay after a reconnect) goes through upsert, so a message
 * seen twice is drawn once, and an updated one (an edit; later a streaming reply's status
 * and appended text) is redrawn in place.
 */
import type { ChatMessage } from './documents.ts';
import { h } from './element.ts';

interface Entry {
  message: ChatMessage;
  element: HTMLLIElement;
}

export class MessageList {
  /** Sorted by seq. */
  private readonly entries: Entry[] = [];
  private readonly byId = new Map<string, Entry>();

  constructor(
    /** The `<ol>` the messages are drawn into; its first child may be a marker that stays first. */
    private readonly list: HTMLOListElement,
    private readonly me: string,
  ) {}

  /** Highest seq shown, 0 when none: where a resumed subscription continues from. */
  lastSeq(): number {
    return this.entries.at(-1)?.message.seq ?? 0;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Adds messages not shown yet, in seq order, and redraws the ones that changed. */
  upsert(messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      const known = this.byId.get(message.id);
      if (known) {
        if (sameMessage(known.message, message)) continue;
        const element = renderMessage(message, this.me);
        known.element.replaceWith(element);
        known.message = message;
        known.element = element;
        continue;
      }
      this.insert({ message, element: renderMessage(message, this.me) });
    }
  }

  private insert(entry: Entry): void {
    const index = this.insertionIndex(entry.message.seq);
    const next = this.entries[index];
    if (next) this.list.insertBefore(entry.element, next.element);
    else this.list.append(entry.element);
    this.entries.splice(index, 0, entry);
    this.byId.set(entry.message.id, entry);
  }

  /** First index whose seq is greater; messages mostly arrive at the end, so look there first. */
  private insertionIndex(seq: number): number {
    const last = this.entries.at(-1);
    if (!last || last.message.seq < seq) return this.entries.length;
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.entries[middle]?.message.seq ?? 0) < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return a.content === b.content && a.seq === b.seq && a.role === b.role;
}

/** How one message looks. The one place to draw a streaming status or appended text later. */
export function renderMessage(message: ChatMessage, me: string): HTMLLIElement {
  const mine = message.authorId === me && message.role === 'USER';
  const time = new Date(message.timestamp);
  return h(
    'li',
    {
      class: `message ${mine ? 'mine' : 'theirs'} role-${message.role.toLowerCase()}`,
      'data-seq': String(message.seq),
      'data-id': message.id,
    },
    h(
      'div',
      { class: 'meta' },
      h('span', { class: 'author' }, mine ? 'You' : message.authorId),
      h('time', { datetime: message.timestamp }, timeOfDay(time)),
    ),
    h('p', { class: 'content' }, message.content),
  );
}

function timeOfDay(time: Date): string {
  return Number.isNaN(time.getTime()) ? '' : time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
