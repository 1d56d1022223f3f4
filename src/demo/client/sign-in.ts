/**
 * Who the page acts for. The token lives in sessionStorage, so two tabs can be two users.
 * With the server's development secret the page mints one (POST /demo/token); otherwise
 * the user pastes a token (`npm run token -- alice`).
 */
export interface Identity {
  userId: string;
  token: string;
}

const STORAGE_KEY = 'chat-demo-identity';

export function storedIdentity(): Identity | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<Identity> | null;
    if (typeof value?.userId === 'string' && typeof value.token === 'string') return { userId: value.userId, token: value.token };
  } catch {
    // A damaged entry just means signing in again.
  }
  return undefined;
}

export function storeIdentity(identity: Identity | undefined): void {
  if (identity) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(identity));
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** Asks the server for a development token; throws with the server's message when refused. */
export async function signInAsDevelopmentUser(userId: string): Promise<Identity> {
  const response = await fetch('/demo/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; userId?: string; errors?: { message: string }[] };
  if (!response.ok || !body.token || !body.userId) throw new Error(body.errors?.[0]?.message ?? `Sign-in failed (HTTP ${response.status})`);
  return { userId: body.userId, token: body.token };
}

/** A pasted token: its `sub` names the user (the server verifies the token on every request). */
export function identityFromToken(pasted: string): Identity {
  const token = pasted.trim().replace(/^Bearer\s+/i, '');
  const payload = token.split('.')[1];
  if (!payload) throw new Error('That is not a JWT');
  let sub: unknown;
  try {
    sub = (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown }).sub;
  } catch {
    throw new Error('That is not a JWT');
  }
  if (typeof sub !== 'string' || sub === '') throw new Error('The token names no user (sub)');
  return { userId: sub, token };
}
