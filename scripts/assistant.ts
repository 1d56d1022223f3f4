/**
 * `npm run assistant -- --session <id> [--url ws://localhost:4000/graphql] [--words 3] [--delay 50]`:
 * the reference assistant. It signs a service token with the server's key (JWT_SECRET, or the
 * development secret `npm start` created), or uses ASSISTANT_TOKEN, and answers every USER
 * message of the session with a reply streamed word by word; cancelMessage stops it.
 */
import { signServerToken } from '../src/auth/dev-token.ts';
import { resolveSigningSecret } from '../src/auth/signing-secret.ts';
import { loadConfig } from '../src/config.ts';
import { startAssistant } from './assistant-bot.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const sessionId = option('session');
if (!sessionId) {
  console.error('usage: npm run assistant -- --session <id> [--url ws://localhost:4000/graphql] [--words 3] [--delay 50]');
  process.exit(2);
}
const config = loadConfig();
let token = process.env.ASSISTANT_TOKEN;
if (!token) {
  const { secret } = resolveSigningSecret(config);
  if (!secret) {
    console.error('JWT_JWKS_URL is configured: pass a service token from your identity provider in ASSISTANT_TOKEN.');
    process.exit(2);
  }
  token = await signServerToken(config, secret, { subject: 'assistant', expiresIn: '24h', service: true });
}
const assistant = startAssistant({
  wsUrl: option('url') ?? `ws://localhost:${config.port}/graphql`,
  token,
  sessionId,
  wordsPerAppend: Number(option('words') ?? 3),
  delayMs: Number(option('delay') ?? 50),
  onReply: ({ messageId, status }) => console.log(`reply ${messageId}: ${status}`),
});
console.log(`assistant watching session ${sessionId}; Ctrl-C stops it`);
process.once('SIGINT', () => void assistant.stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void assistant.stop().then(() => process.exit(0)));
