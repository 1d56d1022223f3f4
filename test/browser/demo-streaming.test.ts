/**
 * The demo chat page watching streamed replies in headless Chromium, against the reference
 * assistant (scripts/assistant-bot.ts) answering in the session: the reply grows on screen
 * and ends with exactly the stored text; Stop cancels it, keeping the stored partial text;
 * a reader who drops off mid-reply resumes from what it shows, with no gap or duplicate; and
 * a reply loaded STREAMING from history grows on.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Assistant } from '../../scripts/assistant-bot.ts';
import { replyTo } from '../../scripts/assistant-bot.ts';
import { loadConfig } from '../../src/config.ts';
import { browserTestsEnabled } from '../support/chromium.ts';
import {
  ASSISTANT_ID,
  type ChatTab,
  connectionState,
  createSession,
  lastReply,
  launchChromium,
  openChatTab,
  recordedReplyTexts,
  recordReplyTexts,
  sendMessage,
  signIn,
  startSessionAssistant,
  UI_TIMEOUT,
} from '../support/demo-chat.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { startTestServer, type TestServer, testedProviders } from '../support/server.ts';

interface StoredReply {
  id: string;
  content: string;
  status: string;
  authorId: string;
}

describe.skipIf(!browserTestsEnabled()).each(testedProviders())('the demo page shows streamed replies (%s)', (provider) => {
  let server: TestServer;
  let browser: Browser;
  const tabs: ChatTab[] = [];
  const assistants: Assistant[] = [];

  beforeAll(async () => {
    // The development secret (no JWT_SECRET): the page signs users in, the assistant signs its service token with it.
    server = await startTestServer(provider, { JWT_SECRET: '', MESSAGES_PER_MINUTE: '0' });
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(assistants.splice(0).map((assistant) => assistant.stop()));
    const problems = tabs.flatMap((opened) => opened.problems);
    await Promise.all(tabs.splice(0).map((opened) => opened.context.close()));
    expect(problems.filter((problem) => !/ERR_INTERNET_DISCONNECTED/.test(problem))).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Alice signed in, in a new session the assistant answers in. */
  async function aliceWithAssistant(title: string, delayMs: number): Promise<{ alice: ChatTab; sessionId: string; replies: string[] }> {
    const alice = await openChatTab(browser, server.url);
    tabs.push(alice);
    await signIn(alice, 'alice');
    const sessionId = await createSession(alice, title, []);
    const replies: string[] = [];
    assistants.push(
      await startSessionAssistant(server.app, loadConfig(server.env), server.wsUrl, sessionId, {
        wordsPerAppend: 1,
        delayMs,
        onReply: (reply) => replies.push(reply.status),
      }),
    );
    return { alice, sessionId, replies };
  }

  /** The reply as the server stores it, read with Alice's token from the page. */
  async function storedReply(alice: ChatTab, id: string): Promise<StoredReply> {
    const token = await alice.page.evaluate(() => JSON.parse(sessionStorage.getItem('chat-demo-identity') ?? '{}').token as string);
    const result = await graphql<{ message: StoredReply }>(
      server.graphqlUrl,
      'query($id: ID!) { message(id: $id) { id content status authorId } }',
      { id },
      { token },
    );
    return dataOf(result).message;
  }

  it('shows the reply growing, then exactly the text the server stored, COMPLETE', async () => {
    const { alice } = await aliceWithAssistant('Streaming', 60);
    await recordReplyTexts(alice.page);
    const question = 'what is the plan for the weekend trip';
    await sendMessage(alice, question);

    const reply = lastReply(alice.page);
    await reply.locator('.status.streaming').waitFor({ timeout: UI_TIMEOUT });
    await reply.and(alice.page.locator('[data-status="complete"]')).waitFor({ timeout: UI_TIMEOUT });
    const id = (await reply.getAttribute('data-id')) as string;
    const stored = await storedReply(alice, id);
    expect(stored).toMatchObject({ status: 'COMPLETE', authorId: ASSISTANT_ID, content: replyTo(question) });
    expect(await reply.locator('.content').textContent()).toBe(stored.content);
    expect(await reply.locator('.status').count()).toBe(0);

    // It grew on screen: several partial texts, each a prefix of the next and of the final text.
    const seen = await recordedReplyTexts(alice.page);
    const partial = seen.filter((text) => text.length > 0 && text !== stored.content);
    expect(new Set(partial.map((text) => text.length)).size).toBeGreaterThanOrEqual(2);
    for (const [index, text] of seen.entries()) expect(stored.content.startsWith(text), `step ${index}: ${text}`).toBe(true);
    expect(seen.map((text) => text.length)).toEqual([...seen.map((text) => text.length)].sort((a, b) => a - b));
  });

  it('Stop cancels the reply mid-stream: it ends CANCELLED, showing the partial text the server stored', async () => {
    const { alice, replies } = await aliceWithAssistant('Stopping', 150);
    const question = 'tell me a long story about many many mountains and rivers and lakes and forests';
    await sendMessage(alice, question);

    const reply = lastReply(alice.page);
    // Some words shown, then Stop.
    await reply.locator('.content').filter({ hasText: /\S/ }).waitFor({ timeout: UI_TIMEOUT });
    await reply.getByRole('button', { name: 'Stop this reply' }).click({ timeout: UI_TIMEOUT });
    await reply.and(alice.page.locator('[data-status="cancelled"]')).waitFor({ timeout: UI_TIMEOUT });
    await reply.locator('.status.cancelled').filter({ hasText: 'stopped' }).waitFor({ timeout: UI_TIMEOUT });

    const id = (await reply.getAttribute('data-id')) as string;
    const stored = await storedReply(alice, id);
    expect(stored.status).toBe('CANCELLED');
    expect(stored.content.length).toBeGreaterThan(0);
    expect(stored.content.length).toBeLessThan(replyTo(question).length);
    expect(replyTo(question).startsWith(stored.content)).toBe(true);
    expect(await reply.locator('.content').textContent()).toBe(stored.content);
    expect(await reply.getByRole('button', { name: 'Stop this reply' }).count()).toBe(0);
    // The assistant learnt it from its next append and stopped.
    await expect.poll(() => replies, { timeout: UI_TIMEOUT }).toEqual(['CANCELLED']);
  });

  it('a reader offline mid-reply resumes from the text it shows: the final text has no gap and no duplicate', async () => {
    const { alice } = await aliceWithAssistant('Offline mid-reply', 80);
    const question = 'one two three four five six seven eight nine ten eleven twelve';
    await sendMessage(alice, question);
    const reply = lastReply(alice.page);
    await reply.locator('.content').filter({ hasText: /\S/ }).waitFor({ timeout: UI_TIMEOUT });

    await alice.context.setOffline(true);
    await connectionState(alice.page, 'Offline');
    const before = (await reply.locator('.content').textContent()) as string;
    // Words keep coming while she is away: wait until the server has more than she saw.
    const id = (await reply.getAttribute('data-id')) as string;
    await expect.poll(async () => (await storedReply(alice, id)).content.length, { timeout: UI_TIMEOUT }).toBeGreaterThan(before.length);
    expect(await reply.locator('.content').textContent()).toBe(before);
    await alice.context.setOffline(false);
    await connectionState(alice.page, 'Live');

    await reply.and(alice.page.locator('[data-status="complete"]')).waitFor({ timeout: UI_TIMEOUT });
    const stored = await storedReply(alice, id);
    expect(stored).toMatchObject({ status: 'COMPLETE', content: replyTo(question) });
    expect(await reply.locator('.content').textContent()).toBe(stored.content);
  });

  it('a reply still streaming when the page loads it from history grows on from the text loaded', async () => {
    const { alice } = await aliceWithAssistant('Reload mid-reply', 250);
    const question = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
    await sendMessage(alice, question);
    const reply = lastReply(alice.page);
    await reply.locator('.content').filter({ hasText: /\S/ }).waitFor({ timeout: UI_TIMEOUT });
    const id = (await reply.getAttribute('data-id')) as string;

    // History requests answered from now on, to see the reply come in STREAMING through it.
    const histories: string[] = [];
    alice.page.on('response', (response) => {
      if (response.request().postData()?.includes('DemoHistory')) void response.text().then((body) => histories.push(body));
    });
    await alice.page.reload();
    await alice.page.locator('.conversation .title').filter({ hasText: 'Reload mid-reply' }).waitFor({ timeout: UI_TIMEOUT });
    await reply.and(alice.page.locator('[data-status="complete"]')).waitFor({ timeout: UI_TIMEOUT });
    const stored = await storedReply(alice, id);
    expect(stored).toMatchObject({ status: 'COMPLETE', content: replyTo(question) });
    expect(await reply.locator('.content').textContent()).toBe(stored.content);
    await expect.poll(() => histories.length, { timeout: UI_TIMEOUT }).toBe(1);
    expect(histories[0]).toContain('"status":"STREAMING"');
  });
});
