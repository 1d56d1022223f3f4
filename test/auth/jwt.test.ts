import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { resolveSigningSecret } from '../../src/auth/signing-secret.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { SessionDocument, SessionsDocument } from '../../src/generated/operations.ts';
import { useChatServer } from '../support/chat-fixture.ts';
import { errorCode, graphql } from '../support/graphql-client.ts';
import { mintToken, TEST_JWT_SECRET } from '../support/tokens.ts';

const run = promisify(execFile);

describe('JWT authentication', () => {
  const chat = useChatServer('sqlite', { JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'chat' });
  const claims = { iss: 'https://issuer.test', aud: 'chat' };
  const ask = (token: string) => graphql(chat.server.graphqlUrl, SessionsDocument, {}, { token });

  it('accepts a valid token with the configured issuer and audience', async () => {
    const response = await ask(await mintToken('alice', { claims }));
    expect(response.errors).toBeUndefined();
  });

  it.each([
    ['expired', () => mintToken('alice', { claims, expiresIn: -60 }), 'expired'],
    ['signed with another key', () => mintToken('alice', { claims, secret: 'another-secret-another-secret-another!' }), 'signature'],
    ['for another issuer', () => mintToken('alice', { claims: { ...claims, iss: 'https://evil.test' } }), 'iss'],
    ['for another audience', () => mintToken('alice', { claims: { ...claims, aud: 'other' } }), 'aud'],
    ['garbage', async () => 'not.a.jwt', 'malformed'],
  ])('rejects a token that is %s with UNAUTHENTICATED', async (_name, make, reason) => {
    const response = await ask(await make());
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message.toLowerCase()).toContain(reason);
  });

  it('rejects a token that is not valid yet, one without sub, and alg none', async () => {
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const future = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setNotBefore('1h').sign(key);
    const noSub = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ ...claims, sub: 'alice' })).toString('base64url');
    for (const token of [future, noSub, `${header}.${body}.`]) {
      expect(errorCode(await ask(token))).toBe('UNAUTHENTICATED');
    }
  });

  it('answers an anonymous request for a field with UNAUTHENTICATED and a correlation id', async () => {
    const response = await graphql(chat.server.graphqlUrl, SessionDocument, { id: 'x' }, { headers: { 'x-request-id': 'trace-12345678' } });
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.extensions?.correlationId).toBe('trace-12345678');
    expect(response.headers.get('x-correlation-id')).toBe('trace-12345678');
  });
});

describe('signing key configuration', () => {
  it('creates a development secret once outside production and reuses it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-secret-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = resolveSigningSecret(config);
    expect(first.created).toBe(true);
    expect(existsSync(join(dataDir, 'dev-jwt-secret'))).toBe(true);
    const second = resolveSigningSecret(config);
    expect(second).toMatchObject({ created: false, secret: first.secret });
  });

  it('refuses to start in production without a key', () => {
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: mkdtempSync(join(tmpdir(), 'chat-prod-')) });
    expect(() => resolveSigningSecret(config)).toThrow(ConfigError);
  });

  it('rejects invalid configuration with a readable message', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must start with/);
  });

  it('prints a token with `npm run token` signed with the development secret the server uses', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-token-'));
    const { stdout } = await run('npx', ['tsx', 'scripts/token.ts', 'alice', '--service'], {
      env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: '' },
    });
    const secret = readFileSync(join(dataDir, 'dev-jwt-secret'), 'utf8').trim();
    const { payload } = await jwtVerify(stdout.trim(), new TextEncoder().encode(secret));
    expect(payload).toMatchObject({ sub: 'alice', scope: 'chat:service' });
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(resolveSigningSecret(config).secret).toBe(secret);
  });
});
