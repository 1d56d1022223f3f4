/** My sessions, newest activity first, and a form to start one with other participants. */
import type { Connection } from './connection.ts';
import { CREATE_SESSION, type CreateSessionResult, SESSIONS, type SessionSummary, type SessionsResult } from './documents.ts';
import { h, replaceChildren } from './element.ts';

export interface SessionsContext {
  connection: Connection;
  me: string;
  /** Opens a session (by changing the location's hash). */
  open: (sessionId: string) => void;
}

export function openSessions(root: HTMLElement, context: SessionsContext): () => void {
  const list = h('ul', { class: 'session-list' });
  const status = h('p', { class: 'notice', role: 'status' }, 'Loading sessions…');
  const refresh = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
  const form = h(
    'form',
    { class: 'new-session' },
    h('h3', {}, 'New session'),
    h('input', { name: 'title', placeholder: 'Title', 'aria-label': 'Title', autocomplete: 'off' }),
    h('input', {
      name: 'participants',
      placeholder: 'Participants (e.g. bob, carol)',
      'aria-label': 'Participants',
      autocomplete: 'off',
    }),
    h('button', { type: 'submit' }, 'Create'),
  );
  replaceChildren(
    root,
    h(
      'section',
      { class: 'sessions' },
      h('header', { class: 'sessions-header' }, h('h2', {}, 'Your sessions'), refresh),
      list,
      status,
      form,
    ),
  );

  let closed = false;
  let latest = 0;
  async function load(): Promise<void> {
    // Only the newest request draws: an older answer arriving late would hide a new session.
    const request = ++latest;
    try {
      const data = await context.connection.query<SessionsResult>(SESSIONS, {});
      if (closed || request !== latest) return;
      const sessions = data.sessions.edges.map((edge) => edge.node);
      replaceChildren(list, ...sessions.map((session) => renderSession(session, context.me)));
      status.textContent = sessions.length === 0 ? 'No sessions yet: create one below.' : '';
    } catch (error) {
      status.textContent = `Could not load sessions: ${(error as Error).message}`;
    }
  }

  refresh.addEventListener('click', () => void load());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    const participantIds = field('participants')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    context.connection.mutate<CreateSessionResult>(CREATE_SESSION, { title: field('title') || null, participantIds }).then(
      (data) => context.open(data.createSession.id),
      (error: Error) => {
        status.textContent = `Could not create the session: ${error.message}`;
      },
    );
  });

  void load();
  return () => {
    closed = true;
  };
}

function renderSession(session: SessionSummary, me: string): HTMLLIElement {
  const others = session.participants.map((participant) => participant.userId).filter((userId) => userId !== me);
  const when = new Date(session.lastActivityAt);
  const count = `${session.messageCount} message${session.messageCount === 1 ? '' : 's'}`;
  return h(
    'li',
    {},
    h(
      'a',
      { href: `#/session/${encodeURIComponent(session.id)}`, class: 'session-link', 'data-session-id': session.id },
      h('span', { class: 'session-title' }, session.title || 'Untitled session'),
      h(
        'span',
        { class: 'session-meta' },
        `${others.length > 0 ? `with ${others.join(', ')}` : 'just you'} · ${count} · ${when.toLocaleString()}`,
      ),
    ),
  );
}
