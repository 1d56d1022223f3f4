/**
 * The demo chat page: sign in, list and create sessions, chat live. Routes are hashes
 * (`#/`, `#/session/<id>`), so a reload or a second tab opens the same view.
 */
import './styles.css';
import { type Connection, type ConnectionState, createConnection } from './connection.ts';
import { openConversation } from './conversation-view.ts';
import { h, replaceChildren } from './element.ts';
import { openSessions } from './sessions-view.ts';
import { type Identity, storedIdentity, storeIdentity } from './sign-in.ts';
import { openSignIn } from './sign-in-view.ts';

const STATE_LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  online: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const app = document.getElementById('app') as HTMLElement;
const devSignIn = document.body.dataset.devSignIn === 'true';
const connectionBadge = h('span', { class: 'connection', 'data-state': 'offline', role: 'status' });
const userLabel = h('span', { class: 'user' });
const signOutButton = h('button', { type: 'button', class: 'secondary sign-out', hidden: true }, 'Sign out');
const view = h('main', { class: 'view' });
replaceChildren(
  app,
  h('header', { class: 'topbar' }, h('h1', {}, 'Chat demo'), h('div', { class: 'who' }, connectionBadge, userLabel, signOutButton)),
  view,
);

let identity = storedIdentity();
let connection: Connection | undefined;
let closeView: () => void = () => undefined;

function showState(state: ConnectionState): void {
  connectionBadge.dataset.state = state;
  connectionBadge.textContent = STATE_LABELS[state];
}

function signIn(next: Identity): void {
  storeIdentity(next);
  identity = next;
  if (!location.hash.startsWith('#/session/')) location.hash = '#/';
  route();
}

function signOut(reason?: string): void {
  storeIdentity(undefined);
  identity = undefined;
  connection?.close();
  connection = undefined;
  route(reason);
}

function connect(current: Identity): Connection {
  const opened = createConnection({
    token: () => current.token,
    onUnauthenticated: () => queueMicrotask(() => signOut('Your token is no longer accepted (expired?): sign in again.')),
  });
  opened.onState(showState);
  showState(opened.state());
  return opened;
}

function route(reason?: string): void {
  closeView();
  const current = identity;
  connectionBadge.hidden = !current;
  signOutButton.hidden = !current;
  userLabel.textContent = current ? current.userId : '';
  if (!current) {
    closeView = openSignIn(view, { devSignIn, reason, signedIn: signIn });
    return;
  }
  connection ??= connect(current);
  const match = /^#\/session\/(.+)$/.exec(location.hash);
  closeView = match?.[1]
    ? openConversation(view, { connection, me: current.userId, sessionId: decodeURIComponent(match[1]) })
    : openSessions(view, {
        connection,
        me: current.userId,
        open: (id) => {
          location.hash = `#/session/${encodeURIComponent(id)}`;
        },
      });
}

signOutButton.addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => route());
route();
