/**
 * The demo chat page in real headless Chromium, two browser contexts as two users: they
 * chat live, typing shows on the other side, a user who goes offline sees exactly the
 * messages they missed once back (no gap, no duplicate), and scrolling up loads older history.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, CHROMIUM_PATH } from '../support/chromium.ts';
import {
  type ChatTab,
  connectionState,
  createSession,
  launchChromium,
  messageWithText,
  openChatTab,
  openSessionFromList,
  scrollHistoryToTop,
  sendMessage,
  shownSeqs,
  shownTexts,
  signIn,
  UI_TIMEOUT,
} from '../support/demo-chat.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { startTestServer, type TestServer, testedProviders } from '../support/server.ts';

/** A token from the page's own sign-in endpoint (the server runs with the development secret). */
async function devToken(server: TestServer, userId: string): Promise<string> {
  const response = await fetch(`${server.url}/demo/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

if (!browserTestsEnabled()) {
  console.warn(
    `Skipping the demo page's browser tests: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium; with CI=true they fail instead).`,
  );
}

describe.skipIf(!browserTestsEnabled()).each(testedProviders())('the demo chat page in headless Chromium (%s)', (provider) => {
  let server: TestServer;
  let browser: Browser;
  const tabs: ChatTab[] = [];

  async function tab(): Promise<ChatTab> {
    const opened = await openChatTab(browser, server.url);
    tabs.push(opened);
    return opened;
  }

  beforeAll(async () => {
    // The development secret (no JWT_SECRET), so the page signs users in; no send limit for the seeded history.
    server = await startTestServer(provider, { JWT_SECRET: '', MESSAGES_PER_MINUTE: '0' });
    browser = await launchChromium();
  });
  afterEach(async () => {
    const problems = tabs.flatMap((opened) => opened.problems);
    await Promise.all(tabs.splice(0).map((opened) => opened.context.close()));
    // Offline fetches fail by design while a user is offline; nothing else may go wrong.
    expect(problems.filter((problem) => !/ERR_INTERNET_DISCONNECTED/.test(problem))).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('two users chat live, and typing in one tab shows in the other', async () => {
    const alice = await tab();
    const bob = await tab();
    await signIn(alice, 'alice');
    await signIn(bob, 'bob');
    await createSession(alice, 'Weekend plans', ['bob']);
    await openSessionFromList(bob, 'Weekend plans');

    await sendMessage(alice, 'Hi Bob, hiking on Saturday?');
    await messageWithText(bob.page, 'Hi Bob, hiking on Saturday?').waitFor({ timeout: UI_TIMEOUT });

    await alice.page.getByLabel('Message').pressSequentially('Or climbing');
    await bob.page.locator('.typing').filter({ hasText: 'alice is typing…' }).waitFor({ timeout: UI_TIMEOUT });
    await alice.page.getByLabel('Message').press('Enter');
    await messageWithText(bob.page, 'Or climbing').waitFor({ timeout: UI_TIMEOUT });
    // Her message ends her typing at once on the other side.
    await expect.poll(() => bob.page.locator('.typing').textContent(), { timeout: UI_TIMEOUT }).toBe('');

    await sendMessage(bob, 'Hiking! <b>not bold</b>');
    await messageWithText(alice.page, 'Hiking! <b>not bold</b>').waitFor({ timeout: UI_TIMEOUT });
    expect(await alice.page.locator('.messages b').count()).toBe(0);
    expect(await shownTexts(alice.page)).toEqual(['Hi Bob, hiking on Saturday?', 'Or climbing', 'Hiking! <b>not bold</b>']);
    expect(await shownSeqs(bob.page)).toEqual([1, 2, 3]);
  });

  it('a user who goes offline sees exactly the messages sent meanwhile, once each and in order, when back', async () => {
    const alice = await tab();
    const bob = await tab();
    await signIn(alice, 'alice');
    await signIn(bob, 'bob');
    await createSession(alice, 'Offline and back', ['bob']);
    await openSessionFromList(bob, 'Offline and back');
    await sendMessage(alice, 'before the tunnel');
    await messageWithText(bob.page, 'before the tunnel').waitFor({ timeout: UI_TIMEOUT });
    // Sockets Bob's page opens from now on, with the frames each receives.
    const reopened: string[][] = [];
    bob.page.on('websocket', (socket) => {
      const frames: string[] = [];
      reopened.push(frames);
      socket.on('framereceived', ({ payload }) => void frames.push(String(payload)));
    });

    await bob.context.setOffline(true);
    await connectionState(bob.page, 'Offline');
    const missed = ['one', 'two', 'three', 'four', 'five'].map((word) => `missed ${word}`);
    for (const text of missed) await sendMessage(alice, text);
    // Stored and shown to Alice, but nothing reaches Bob while he is offline.
    expect(await shownTexts(bob.page)).toEqual(['before the tunnel']);

    await bob.context.setOffline(false);
    await connectionState(bob.page, 'Live');
    await expect.poll(() => shownTexts(bob.page), { timeout: UI_TIMEOUT }).toEqual(['before the tunnel', ...missed]);
    // A message sent after the catch-up arrives live after it; nothing is shown twice.
    await sendMessage(alice, 'welcome back');
    await messageWithText(bob.page, 'welcome back').waitFor({ timeout: UI_TIMEOUT });
    expect(await shownTexts(bob.page)).toEqual(['before the tunnel', ...missed, 'welcome back']);
    expect(await shownSeqs(bob.page)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // They came as the replay of a new socket's subscription (after seq 1), each exactly once.
    expect(reopened.length).toBeGreaterThan(0);
    const delivered = reopened.flat().flatMap((frame) => /"content":"([^"]*)"/.exec(frame)?.[1] ?? []);
    expect(delivered).toEqual([...missed, 'welcome back']);
  });

  it('loads older messages as the user scrolls up, until the first one', async () => {
    const token = await devToken(server, 'carol');
    const created = await graphql<{ createSession: { id: string } }>(
      server.graphqlUrl,
      'mutation { createSession(input: { title: "Long history" }) { id } }',
      {},
      { token },
    );
    const sessionId = dataOf(created).createSession.id;
    for (let seq = 1; seq <= 60; seq++) {
      const sent = await graphql(
        server.graphqlUrl,
        'mutation($id: ID!, $content: String!) { sendMessage(sessionId: $id, input: { content: $content }) { seq } }',
        { id: sessionId, content: `history ${seq}` },
        { token },
      );
      expect(dataOf(sent)).toEqual({ sendMessage: { seq } });
    }

    const carol = await tab();
    await signIn(carol, 'carol');
    await openSessionFromList(carol, 'Long history');
    // The newest page first (HISTORY_PAGE = 25), scrolled to the bottom.
    expect(await shownSeqs(carol.page)).toEqual(Array.from({ length: 25 }, (_, index) => 36 + index));

    await expect
      .poll(
        async () => {
          await scrollHistoryToTop(carol.page);
          return (await shownSeqs(carol.page)).length;
        },
        { timeout: UI_TIMEOUT },
      )
      .toBe(60);
    expect(await shownSeqs(carol.page)).toEqual(Array.from({ length: 60 }, (_, index) => 1 + index));
    await carol.page
      .locator('.history-edge')
      .filter({ hasText: 'This is the beginning of the conversation.' })
      .waitFor({ timeout: UI_TIMEOUT });
  });
});
