/** The sign-in screen: a development user by name, or a pasted token. */
import { h, replaceChildren } from './element.ts';
import { type Identity, identityFromToken, signInAsDevelopmentUser } from './sign-in.ts';

export interface SignInContext {
  /** Whether the server mints development tokens (it says so on the page). */
  devSignIn: boolean;
  /** Why the user is here again (an expired token), if anything. */
  reason?: string;
  signedIn: (identity: Identity) => void;
}

export function openSignIn(root: HTMLElement, context: SignInContext): () => void {
  const error = h('p', { class: 'error', role: 'alert' }, context.reason ?? '');
  const devForm = h(
    'form',
    { class: 'dev-sign-in' },
    h('label', {}, 'User id', h('input', { name: 'userId', placeholder: 'alice', autocomplete: 'username', required: true })),
    h('button', { type: 'submit' }, 'Sign in as development user'),
  );
  const tokenForm = h(
    'form',
    { class: 'token-sign-in' },
    h('label', {}, 'Token (JWT)', h('textarea', { name: 'token', rows: '3', placeholder: 'eyJ…', required: true })),
    h('button', { type: 'submit', class: context.devSignIn ? 'secondary' : '' }, 'Use this token'),
  );
  const intro = context.devSignIn
    ? 'Type any user id: this development server signs a one-hour token for it. Open a second tab to chat as someone else.'
    : 'This server does not mint development tokens (a JWT key is configured). Paste a token, e.g. from `npm run token -- alice`.';
  replaceChildren(
    root,
    h(
      'section',
      { class: 'sign-in' },
      h('h2', {}, 'Sign in'),
      h('p', { class: 'hint' }, intro),
      context.devSignIn && devForm,
      context.devSignIn ? h('details', {}, h('summary', {}, 'Or paste a token'), tokenForm) : tokenForm,
      error,
    ),
  );

  devForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const userId = (devForm.elements.namedItem('userId') as HTMLInputElement).value.trim();
    signInAsDevelopmentUser(userId).then(context.signedIn, (failure: Error) => {
      error.textContent = failure.message;
    });
  });
  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    try {
      context.signedIn(identityFromToken((tokenForm.elements.namedItem('token') as HTMLTextAreaElement).value));
    } catch (failure) {
      error.textContent = (failure as Error).message;
    }
  });
  (devForm.elements.namedItem('userId') as HTMLInputElement).focus();
  return () => undefined;
}
