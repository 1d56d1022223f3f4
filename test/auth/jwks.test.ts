import { createServer, type Server } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type KeyObject } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionsDocument } from '../../src/generated/operations.ts';
import { errorCode, graphql } from '../support/graphql-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('asymmetric keys from JWT_JWKS_URL', () => {
  let jwks: Server;
  let server: TestServer;
  let privateKey: CryptoKey | KeyObject;
  let publicPem: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as { port: number };
    server = await startTestServer('sqlite', { JWT_SECRET: '', JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` });
  });
  afterAll(async () => {
    await server?.stop();
    jwks?.close();
  });

  const ask = (token: string) => graphql(server.graphqlUrl, SessionsDocument, {}, { token });

  it('accepts an RS256 token signed by a key from the JWKS', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await ask(token)).errors).toBeUndefined();
  });

  it('refuses HS256 signed with the public key (algorithm confusion) and keys it does not know', async () => {
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(publicPem));
    expect(errorCode(await ask(confused))).toBe('UNAUTHENTICATED');

    const stranger = (await generateKeyPair('RS256')).privateKey;
    const unknown = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(stranger);
    const response = await ask(unknown);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toMatch(/signature/i);
  });
});
