/**
 * The demo chat page (/demo) driven in headless Chromium: one browser, a context per user
 * (each its own tab, storage and network, so one can go offline alone), and the steps a user
 * takes, each waiting for what the page shows next. Used by test/browser/demo-chat.test.ts and
 * scripts/demo-screenshots.ts, so it does not import vitest.
 */
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { type Assistant, type AssistantOptions, startAssistant } from '../../scripts/assistant-bot.ts';
import type { App } from '../../src/app.ts';
import { signServerToken } from '../../src/auth/dev-token.ts';
import { resolveSigningSecret } from '../../src/auth/signing-secret.ts';
import type { Config } from '../../src/config.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, isLocal } from './chromium.ts';

/** How long a step may take on a loaded machine before it fails. */
export const UI_TIMEOUT = 20_000;

export interface ChatTab {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught page errors and requests to other hosts, for the failure message. */
  problems: string[];
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: UI_TIMEOUT });
}

/** A fresh context (a user of their own) whose requests may reach only `origin`; the page is opened at /demo. */
export async function openChatTab(browser: Browser, origin: string, viewport = { width: 900, height: 760 }): Promise<ChatTab> {
  const context = await browser.newContext({ viewport });
  const problems: string[] = [];
  const allowedHost = new URL(origin).host;
  await context.route('**/*', (route) => {
    if (isLocal(route.request().url(), allowedHost)) return route.continue();
    problems.push(`request to another host: ${route.request().url()}`);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  await page.goto(`${origin}/demo`);
  return { context, page, problems };
}

/** Signs in as a development user and waits for the live connection. */
export async function signIn(tab: ChatTab, userId: string): Promise<void> {
  const { page } = tab;
  await page.getByLabel('User id').fill(userId);
  await page.getByRole('button', { name: 'Sign in as development user' }).click();
  await page.locator('.topbar .user').filter({ hasText: userId }).waitFor({ timeout: UI_TIMEOUT });
  await connectionState(page, 'Live');
}

/** Waits until the connection badge says `label` (Live, Offline, Reconnecting…, Connecting…). */
export async function connectionState(page: Page, label: string): Promise<void> {
  await page.locator('.connection').filter({ hasText: label }).waitFor({ timeout: UI_TIMEOUT });
}

/** Creates a session from the sessions view and waits until it is open; resolves with its id. */
export async function createSession(tab: ChatTab, title: string, participants: string[]): Promise<string> {
  const { page } = tab;
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Participants').fill(participants.join(', '));
  await page.getByRole('button', { name: 'Create' }).click();
  await page.locator('.conversation .title').filter({ hasText: title }).waitFor({ timeout: UI_TIMEOUT });
  const id = /#\/session\/(.+)$/.exec(page.url())?.[1];
  if (!id) throw new Error(`no session in the URL ${page.url()}`);
  await conversationReady(page);
  return decodeURIComponent(id);
}

/** Opens a session from the sessions list (refreshing it first) and waits for its history. */
export async function openSessionFromList(tab: ChatTab, title: string): Promise<void> {
  const { page } = tab;
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.locator('.session-link').filter({ hasText: title }).click({ timeout: UI_TIMEOUT });
  await page.locator('.conversation .title').filter({ hasText: title }).waitFor({ timeout: UI_TIMEOUT });
  await conversationReady(page);
}

/** The history is shown once the marker above it no longer says "Loading…". */
async function conversationReady(page: Page): Promise<void> {
  await page
    .locator('.history-edge')
    .filter({ hasNotText: /^Loading…$/ })
    .waitFor({ timeout: UI_TIMEOUT });
}

/** Sends from the composer and waits until the page shows the stored message. */
export async function sendMessage(tab: ChatTab, text: string): Promise<void> {
  const { page } = tab;
  await page.getByLabel('Message').fill(text);
  await page.getByLabel('Message').press('Enter');
  await messageWithText(page, text).waitFor({ timeout: UI_TIMEOUT });
}

export function messageWithText(page: Page, text: string): Locator {
  return page.locator('.messages .message .content').getByText(text, { exact: true });
}

/** The seq of every message shown, top to bottom. */
export async function shownSeqs(page: Page): Promise<number[]> {
  return page.locator('.messages .message').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
}

/** The text of every message shown, top to bottom. */
export async function shownTexts(page: Page): Promise<string[]> {
  return page.locator('.messages .message .content').allTextContents();
}

/** Scrolls the message list to its top (where older messages load). */
export async function scrollHistoryToTop(page: Page): Promise<void> {
  await page.locator('.scroller').evaluate((scroller) => {
    scroller.scrollTop = 0;
  });
}

/** The reference assistant's user id (the `sub` of its service token). */
export const ASSISTANT_ID = 'assistant';

/**
 * The reference assistant (scripts/assistant-bot.ts) answering in `sessionId`, signed in as
 * `npm run assistant` does it: a service token signed with the server's (development) secret.
 * Resolves once it is subscribed, so a message sent next is answered.
 */
export async function startSessionAssistant(
  app: App,
  config: Config,
  wsUrl: string,
  sessionId: string,
  options: Pick<AssistantOptions, 'wordsPerAppend' | 'delayMs' | 'onReply'> = {},
): Promise<Assistant> {
  const { secret } = resolveSigningSecret(config);
  if (!secret) throw new Error('the server has no signing secret to sign the assistant in with');
  const token = await signServerToken(config, secret, { subject: ASSISTANT_ID, expiresIn: '1h', service: true });
  const assistant = startAssistant({ wsUrl, token, sessionId, ...options });
  const deadline = Date.now() + UI_TIMEOUT;
  while (!(await app.realtime.presence.connectedUsers(sessionId)).includes(ASSISTANT_ID)) {
    if (Date.now() > deadline) {
      await assistant.stop();
      throw new Error(`the assistant never subscribed to session ${sessionId}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return assistant;
}

/** The last assistant reply shown. */
export function lastReply(page: Page): Locator {
  return page.locator('.messages .message.role-assistant').last();
}

/**
 * Starts recording, inside the page, every text the assistant replies show (one entry per
 * change, via a MutationObserver), so a test sees each partial length however fast it went.
 * Read them with recordedReplyTexts.
 */
export async function recordReplyTexts(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { replyTexts: string[] }).replyTexts = seen;
    const record = (): void => {
      const replies = document.querySelectorAll('.messages .message.role-assistant .content');
      const text = replies[replies.length - 1]?.textContent ?? null;
      if (text !== null && seen.at(-1) !== text) seen.push(text);
    };
    new MutationObserver(record).observe(document.querySelector('.messages') as Node, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  });
}

export async function recordedReplyTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { replyTexts: string[] }).replyTexts);
}
