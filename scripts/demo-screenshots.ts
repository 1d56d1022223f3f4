/**
 * `npm run demo:screenshots`: takes the README's pictures of the demo chat page (/demo) in
 * headless Chromium (/usr/bin/chromium through playwright-core) against a throwaway server
 * on a fresh SQLite database, and writes them to docs/screenshots/. The same steps as the
 * browser tests (test/support/demo-chat.ts), so the pictures show what the tests check.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import {
  type ChatTab,
  connectionState,
  createSession,
  lastReply,
  launchChromium,
  messageWithText,
  openChatTab,
  openSessionFromList,
  sendMessage,
  signIn,
  startSessionAssistant,
  UI_TIMEOUT,
} from '../test/support/demo-chat.ts';

const outDir = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const viewport = { width: 900, height: 640 };

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-screenshots-'));
  // No JWT_SECRET: the development secret, so the page signs users in.
  const config = loadConfig({
    DATABASE_URL: `file:${join(dataDir, 'chat.db')}`,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MESSAGES_PER_MINUTE: '0',
  });
  const app = await buildApp(config);
  const url = await app.start();
  const browser = await launchChromium();
  mkdirSync(outDir, { recursive: true });
  try {
    const alice: ChatTab = await openChatTab(browser, url, viewport);
    await alice.page.getByLabel('User id').fill('alice');
    await shoot(alice.page, 'demo-sign-in');

    await signIn(alice, 'alice');
    await createSession(alice, 'Project kickoff', ['carol', 'dana']);
    await sendMessage(alice, 'Agenda for Monday is in the shared folder.');
    await alice.page.getByRole('link', { name: '← Sessions' }).click();
    await createSession(alice, 'Weekend plans', ['bob']);
    await alice.page.getByRole('link', { name: '← Sessions' }).click();
    await alice.page.locator('.session-link').filter({ hasText: 'Weekend plans' }).waitFor({ timeout: UI_TIMEOUT });
    await alice.page.locator('.session-link').filter({ hasText: 'Project kickoff' }).waitFor({ timeout: UI_TIMEOUT });
    await shoot(alice.page, 'demo-sessions');

    const bob = await openChatTab(browser, url, viewport);
    await signIn(bob, 'bob');
    await openSessionFromList(bob, 'Weekend plans');
    await openSessionFromList(alice, 'Weekend plans');
    await sendMessage(alice, 'Hi Bob! Hiking on Saturday?');
    await messageWithText(bob.page, 'Hi Bob! Hiking on Saturday?').waitFor({ timeout: UI_TIMEOUT });
    await sendMessage(bob, 'Sounds great. Which trail?');
    await messageWithText(alice.page, 'Sounds great. Which trail?').waitFor({ timeout: UI_TIMEOUT });
    await sendMessage(alice, 'The ridge loop, 12 km. Leaving at 8?');
    await bob.page.getByLabel('Message').pressSequentially('8 works, I will bring');
    await alice.page.locator('.typing').filter({ hasText: 'bob is typing…' }).waitFor({ timeout: UI_TIMEOUT });
    await shoot(alice.page, 'demo-conversation');

    await bob.context.setOffline(true);
    await connectionState(bob.page, 'Offline');
    await sendMessage(alice, 'Also: rain jackets, just in case.');
    await shoot(bob.page, 'demo-offline');
    await bob.context.setOffline(false);
    await messageWithText(bob.page, 'Also: rain jackets, just in case.').waitFor({ timeout: UI_TIMEOUT });
    await connectionState(bob.page, 'Live');
    await shoot(bob.page, 'demo-back-online');

    // The reference assistant answering in a session of its own: one reply done, the next one caught mid-stream.
    await alice.page.getByRole('link', { name: '← Sessions' }).click();
    const askId = await createSession(alice, 'Ask the assistant', []);
    const ended: string[] = [];
    const assistant = await startSessionAssistant(app, config, `${url.replace(/^http/, 'ws')}/graphql`, askId, {
      wordsPerAppend: 1,
      delayMs: 300,
      onReply: (reply) => ended.push(reply.status),
    });
    try {
      await sendMessage(alice, 'Packing list for Saturday');
      await lastReply(alice.page).and(alice.page.locator('[data-status="complete"]')).waitFor({ timeout: UI_TIMEOUT });
      await sendMessage(alice, 'Boots, rain jacket, water, snacks and a map of the ridge loop');
      const streaming = lastReply(alice.page).and(alice.page.locator('[data-status="streaming"]'));
      await streaming.locator('.content').filter({ hasText: 'snacks' }).waitFor({ timeout: UI_TIMEOUT });
      await shoot(alice.page, 'demo-streaming');
      await streaming.getByRole('button', { name: 'Stop this reply' }).click();
      await alice.page.locator('.message[data-status="cancelled"]').waitFor({ timeout: UI_TIMEOUT });
      // Stopped only once it saw the cancel (from its next append), so it is not cut off mid-request.
      const deadline = Date.now() + UI_TIMEOUT;
      while (ended.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await assistant.stop();
    }
  } finally {
    await browser.close();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
