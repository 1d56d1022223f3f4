/**
 * The messages of the open conversation: one entry per message id, kept in seq order, each
 * drawn by renderMessage. Every way a message arrives (a history page, the send result,
 * the live subscription, its replay after a reconnect) goes through upsert, so a message
 * seen twice is drawn once, and an updated one (an edit, a streaming reply's final status)
 * is redrawn in place. A STREAMING reply's text grows through appendDelta, which places each
 * delta by its code-point offset, so a delta seen twice (a resumed stream) is shown once.
 */
import type { ChatMessage, MessageStatus } from './documents.ts';
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

  get(id: string): ChatMessage | undefined {
    return this.byId.get(id)?.message;
  }

  /** Ids of the messages shown as STREAMING. */
  streamingIds(): string[] {
    return this.entries.filter((entry) => entry.message.status === 'STREAMING').map((entry) => entry.message.id);
  }

  /** Adds messages not shown yet, in seq order, and redraws the ones that changed. */
  upsert(messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      const known = this.byId.get(message.id);
      if (!known) {
        this.insert({ message, element: renderMessage(message, this.me) });
        continue;
      }
      // Both still streaming: the stream may be ahead of (or behind) this copy; the longer text wins.
      if (known.message.status === 'STREAMING' && message.status === 'STREAMING') {
        if (codePoints(message.content) > codePoints(known.message.content)) this.setContent(known, message.content);
        continue;
      }
      // A finished reply never goes back to STREAMING (an older copy arriving late).
      if (known.message.status !== 'STREAMING' && message.status === 'STREAMING') continue;
      if (!sameMessage(known.message, message)) this.redraw(known, message);
    }
  }

  /**
   * Appends a delta of a STREAMING reply that starts at code point `offset`. The part already
   * shown is skipped; false when the delta starts beyond the text shown (a gap: resubscribe).
   */
  appendDelta(id: string, offset: number, text: string): boolean {
    const entry = this.byId.get(id);
    if (entry?.message.status !== 'STREAMING') return true;
    const shown = [...entry.message.content];
    if (offset > shown.length) return false;
    const delta = [...text];
    if (offset + delta.length <= shown.length) return true;
    this.setContent(entry, entry.message.content + delta.slice(shown.length - offset).join(''));
    return true;
  }

  /** A streamed reply ended: shows its final status. */
  finish(id: string, status: MessageStatus, finishReason: string | null): void {
    const entry = this.byId.get(id);
    if (entry?.message.status !== 'STREAMING') return;
    this.redraw(entry, { ...entry.message, status, finishReason });
  }

  /** New text for a reply still streaming: only its text node changes, so its Stop button stays put. */
  private setContent(entry: Entry, content: string): void {
    entry.message = { ...entry.message, content };
    const paragraph = entry.element.querySelector('.content');
    if (paragraph) paragraph.textContent = content;
  }

  private redraw(entry: Entry, message: ChatMessage): void {
    const element = renderMessage(message, this.me);
    entry.element.replaceWith(element);
    entry.message = message;
    entry.element = element;
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
  return a.content === b.content && a.seq === b.seq && a.role === b.role && a.status === b.status && a.finishReason === b.finishReason;
}

/** Length in code points, the unit of messageStream offsets. */
export function codePoints(text: string): number {
  return [...text].length;
}

/**
 * How one message looks, its status included: `data-status` on every message, and a mark
 * for the ones not simply complete: "streaming…" with a Stop button, "stopped", "failed".
 */
export function renderMessage(message: ChatMessage, me: string): HTMLLIElement {
  const mine = message.authorId === me && message.role === 'USER';
  const time = new Date(message.timestamp);
  return h(
    'li',
    {
      class: `message ${mine ? 'mine' : 'theirs'} role-${message.role.toLowerCase()}`,
      'data-seq': String(message.seq),
      'data-id': message.id,
      'data-status': message.status.toLowerCase(),
    },
    h(
      'div',
      { class: 'meta' },
      h('span', { class: 'author' }, mine ? 'You' : message.authorId),
      h('time', { datetime: message.timestamp }, timeOfDay(time)),
      statusMark(message),
    ),
    h('p', { class: 'content' }, message.content),
  );
}

function statusMark(message: ChatMessage): HTMLElement | null {
  switch (message.status) {
    case 'COMPLETE':
      return null;
    case 'STREAMING':
      return h(
        'span',
        { class: 'status streaming' },
        'streaming…',
        h('button', { type: 'button', class: 'secondary stop', 'aria-label': 'Stop this reply' }, 'Stop'),
      );
    case 'CANCELLED':
      return h('span', { class: 'status cancelled', title: 'Stopped before it finished' }, 'stopped');
    case 'FAILED':
      return h('span', { class: 'status failed', title: message.finishReason ? `Failed: ${message.finishReason}` : 'Failed' }, 'failed');
  }
}

function timeOfDay(time: Date): string {
  return Number.isNaN(time.getTime()) ? '' : time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
