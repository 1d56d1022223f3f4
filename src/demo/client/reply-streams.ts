/**
 * Streamed replies as they grow: every message the conversation shows as STREAMING is
 * followed with messageStream from the number of code points it already shows, on every
 * (re)connection from the length shown then, so a reconnect neither repeats nor skips text.
 * The final event draws the final status, and the follower stops.
 */
import { describeError, type Connection } from './connection.ts';
import { MESSAGE_STREAM, type MessageStreamResult } from './documents.ts';
import { followLive } from './live-subscription.ts';
import { codePoints, type MessageList } from './message-list.ts';

export interface ReplyStreamsOptions {
  connection: Connection;
  messages: MessageList;
  /** Runs each change to the list (so the view can keep the bottom in sight). */
  update: (change: () => void) => void;
  onError: (text: string) => void;
}

export class ReplyStreams {
  /** Message id -> the function that stops following it. */
  private readonly following = new Map<string, () => void>();

  constructor(private readonly options: ReplyStreamsOptions) {}

  /** Follows the STREAMING messages shown and not followed yet; stops following the ones that ended. */
  sync(): void {
    const streaming = new Set(this.options.messages.streamingIds());
    for (const [id, stop] of this.following) {
      if (streaming.has(id)) continue;
      stop();
      this.following.delete(id);
    }
    for (const id of streaming) if (!this.following.has(id)) this.following.set(id, this.follow(id));
  }

  close(): void {
    for (const stop of this.following.values()) stop();
    this.following.clear();
  }

  private follow(id: string): () => void {
    const { connection, messages, update, onError } = this.options;
    return followLive<MessageStreamResult>(connection, {
      query: MESSAGE_STREAM,
      variables: () => ({ messageId: id, fromOffset: codePoints(messages.get(id)?.content ?? '') }),
      onData: ({ messageStream: event }) => {
        if (event.done) {
          update(() => messages.finish(id, event.status, event.finishReason));
          this.sync();
          return;
        }
        let placed = true;
        update(() => {
          placed = messages.appendDelta(id, event.offset, event.text);
        });
        // Text beyond what is shown: never expected (the server sends no gap), but start again from what is shown.
        if (!placed) this.restart(id);
      },
      onError: (error) => onError(`A streamed reply stopped updating: ${describeError(error)}`),
    });
  }

  private restart(id: string): void {
    this.following.get(id)?.();
    this.following.set(id, this.follow(id));
  }
}
