/**
 * One open session: its history (older pages load as the user scrolls up), the composer,
 * live messages and typing from the other participants, and adding a participant (owner).
 * Messages reach the screen only through MessageList.upsert, whichever way they came; a
 * STREAMING reply then grows through its messageStream (reply-streams.ts) and has a Stop button.
 */
import type { Connection } from './connection.ts';
import { describeError } from './connection.ts';
import {
  ADD_PARTICIPANT,
  type AddParticipantResult,
  CANCEL_MESSAGE,
  type CancelMessageResult,
  type ChatMessage,
  HISTORY,
  type HistoryResult,
  MESSAGE_RECEIVED,
  type MessageReceivedResult,
  SEND_MESSAGE,
  type SendMessageResult,
  type SessionSummary,
  TYPING,
  type TypingResult,
} from './documents.ts';
import { h, replaceChildren } from './element.ts';
import { followLive } from './live-subscription.ts';
import { MessageList } from './message-list.ts';
import { ReplyStreams } from './reply-streams.ts';
import { createTypingSender, describeTyping } from './typing.ts';

/** Messages per history page. */
export const HISTORY_PAGE = 25;
/** Closer than this to the bottom, new messages scroll into view. */
const STICK_TO_BOTTOM_PX = 80;
const OFFLINE_NOTICE = 'Offline: what you miss will show when you are back.';

export interface ConversationContext {
  connection: Connection;
  me: string;
  sessionId: string;
}

/** Draws the conversation into `root`; returns the function that closes it. */
export function openConversation(root: HTMLElement, context: ConversationContext): () => void {
  const { connection, me, sessionId } = context;
  const title = h('h2', { class: 'title' }, 'Loading…');
  const participants = h('p', { class: 'participants' });
  const addForm = h(
    'form',
    { class: 'add-participant', hidden: true },
    h('input', { name: 'userId', placeholder: 'Add someone', 'aria-label': 'User id to add', autocomplete: 'off' }),
    h('button', { type: 'submit' }, 'Add'),
  );
  const edge = h('li', { class: 'history-edge' }, 'Loading…');
  const list = h('ol', { class: 'messages' }, edge);
  const scroller = h('div', { class: 'scroller' }, list);
  const typingLine = h('p', { class: 'typing', 'aria-live': 'polite' });
  const input = h('input', { name: 'content', placeholder: 'Write a message', 'aria-label': 'Message', autocomplete: 'off' });
  const composer = h('form', { class: 'composer' }, input, h('button', { type: 'submit' }, 'Send'));
  const notice = h('p', { class: 'notice', role: 'status' });
  replaceChildren(
    root,
    h(
      'section',
      { class: 'conversation' },
      h('header', { class: 'conversation-header' }, h('a', { href: '#/', class: 'back' }, '← Sessions'), title, participants, addForm),
      scroller,
      typingLine,
      composer,
      notice,
    ),
  );

  const messages = new MessageList(list, me);
  const replies = new ReplyStreams({
    connection,
    messages,
    update: (change) => {
      const stick = nearBottom();
      change();
      if (stick) scrollToBottom();
    },
    onError: (text) => showNotice(text),
  });
  const typingUsers = new Set<string>();
  const typing = createTypingSender(connection, sessionId);
  let olderCursor: string | null = null;
  let hasOlder = false;
  let loadingOlder = false;
  let closed = false;
  const stops: (() => void)[] = [];

  const showNotice = (text: string): void => {
    notice.textContent = text;
  };
  const showTyping = (): void => {
    typingLine.textContent = describeTyping(typingUsers);
  };
  const nearBottom = (): boolean => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICK_TO_BOTTOM_PX;
  const scrollToBottom = (): void => {
    scroller.scrollTop = scroller.scrollHeight;
  };

  function showSession(session: SessionSummary): void {
    title.textContent = session.title || 'Untitled session';
    participants.textContent = `With ${session.participants.map((participant) => participant.userId).join(', ')}`;
    addForm.hidden = session.ownerId !== me;
  }

  /** Every message that arrives after the first page (live, replayed, or the result of a send). */
  function receive(incoming: readonly ChatMessage[], follow: boolean): void {
    const stick = follow || nearBottom();
    messages.upsert(incoming);
    replies.sync();
    showEdge();
    for (const message of incoming) typingUsers.delete(message.authorId);
    showTyping();
    if (stick) scrollToBottom();
  }

  function showEdge(): void {
    edge.textContent = hasOlder
      ? 'Loading older messages…'
      : messages.size === 0
        ? 'No messages yet. Say hello!'
        : 'This is the beginning of the conversation.';
  }

  async function loadPage(before: string | null): Promise<HistoryResult['session']> {
    const data = await connection.query<HistoryResult>(HISTORY, { id: sessionId, last: HISTORY_PAGE, before });
    hasOlder = data.session.messages.pageInfo.hasPreviousPage;
    olderCursor = data.session.messages.pageInfo.startCursor;
    return data.session;
  }

  async function loadOlder(): Promise<void> {
    if (loadingOlder || !hasOlder || closed) return;
    loadingOlder = true;
    try {
      // Keep the message the user is looking at in place while older ones are inserted above it.
      const fromBottom = scroller.scrollHeight - scroller.scrollTop;
      const session = await loadPage(olderCursor);
      messages.upsert(session.messages.edges.map((edge) => edge.node));
      replies.sync();
      scroller.scrollTop = scroller.scrollHeight - fromBottom;
      showEdge();
    } catch (error) {
      showNotice(`Could not load older messages: ${(error as Error).message}`);
    } finally {
      loadingOlder = false;
    }
    // Still at the top (a short page, a tall window): the observer reports it again.
    observer.unobserve(edge);
    if (hasOlder && !closed) observer.observe(edge);
  }

  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void loadOlder();
    },
    { root: scroller, rootMargin: '200px 0px 0px 0px' },
  );

  async function start(): Promise<void> {
    let session: HistoryResult['session'];
    try {
      session = await loadPage(null);
    } catch (error) {
      title.textContent = 'Session unavailable';
      edge.textContent = (error as Error).message;
      composer.hidden = true;
      return;
    }
    if (closed) return;
    showSession(session);
    messages.upsert(session.messages.edges.map((edge) => edge.node));
    replies.sync();
    showEdge();
    scrollToBottom();
    // Live from the last message the page has: on every reconnect from the last one it has then.
    stops.push(
      followLive<MessageReceivedResult>(connection, {
        query: MESSAGE_RECEIVED,
        variables: () => ({ sessionId, afterSeq: messages.lastSeq() }),
        onData: (data) => receive([data.messageReceived], false),
        onError: (error) => showNotice(`Live messages stopped: ${describeError(error)}`),
      }),
      followLive<TypingResult>(connection, {
        query: TYPING,
        variables: () => ({ sessionId }),
        onData: ({ typing: event }) => {
          if (event.isTyping) typingUsers.add(event.userId);
          else typingUsers.delete(event.userId);
          showTyping();
        },
        onError: (error) => showNotice(`Typing indicators stopped: ${describeError(error)}`),
        onStop: () => {
          typingUsers.clear();
          showTyping();
        },
      }),
    );
    stops.push(
      connection.onState((state) => {
        if (state === 'offline') showNotice(OFFLINE_NOTICE);
        else if (state === 'online' && notice.textContent === OFFLINE_NOTICE) showNotice('');
      }),
    );
    if (hasOlder) observer.observe(edge);
    input.focus();
  }

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const content = input.value;
    if (content.trim() === '') return;
    typing.stopped();
    input.value = '';
    showNotice('');
    const clientMessageId = `demo-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    connection.mutate<SendMessageResult>(SEND_MESSAGE, { sessionId, content, clientMessageId }).then(
      (data) => receive([data.sendMessage], true),
      (error: Error) => {
        // Give the text back, so nothing typed is lost.
        if (input.value === '') input.value = content;
        showNotice(`Not sent: ${error.message}`);
      },
    );
  });
  input.addEventListener('input', () => typing.changed(input.value));

  // Stop on a streaming reply: any participant may cancel it; it keeps the text so far.
  list.addEventListener('click', (event) => {
    const button = (event.target as Element).closest('button.stop');
    const id = button?.closest('li.message')?.getAttribute('data-id');
    if (!(button instanceof HTMLButtonElement) || !id) return;
    button.disabled = true;
    connection.mutate<CancelMessageResult>(CANCEL_MESSAGE, { id }).then(
      (data) => receive([data.cancelMessage], false),
      (error: Error) => {
        button.disabled = false;
        showNotice(`Could not stop the reply: ${error.message}`);
      },
    );
  });

  addForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const field = addForm.elements.namedItem('userId') as HTMLInputElement;
    const userId = field.value.trim();
    if (userId === '') return;
    connection.mutate<AddParticipantResult>(ADD_PARTICIPANT, { sessionId, userId }).then(
      (data) => {
        field.value = '';
        showSession(data.addParticipant);
        showNotice(`${userId} was added`);
      },
      (error: Error) => showNotice(`Could not add ${userId}: ${error.message}`),
    );
  });

  void start();
  return () => {
    closed = true;
    typing.stopped();
    observer.disconnect();
    replies.close();
    for (const stop of stops) stop();
  };
}
