/**
 * GraphiQL in real headless Chromium with the network cut off from everything but the
 * server: it must load, authenticate with the prefilled development token, run operations
 * and stream a subscription, all from assets this server serves itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_DEV_USER, signServerToken } from '../../src/auth/dev-token.ts';
import { DEV_SECRET_FILE } from '../../src/auth/signing-secret.ts';
import { loadConfig } from '../../src/config.ts';
import { browserTestsEnabled, openOfflineBrowser, type OfflineBrowser } from '../support/chromium.ts';
import { dataOf, graphql } from '../support/graphql-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const UI_TIMEOUT = 15_000;

/** Replaces the content of a visible Monaco editor by typing (each auto-closed quote or brace is typed over). */
async function replaceEditorText(page: Page, editor: string, text: string): Promise<void> {
  await page.locator(editor).filter({ visible: true }).first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

/** The text of the result pane (Monaco renders spaces as no-break spaces). */
async function responseText(page: Page): Promise<string> {
  return (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');
}

/** Opens GraphiQL and waits for its editor; a page that never starts fails with what it shows and what it tried to fetch. */
async function openGraphiQL(browser: OfflineBrowser, url: string): Promise<void> {
  const { page } = browser;
  await page.goto(url);
  await page
    .locator('.graphiql-query-editor .monaco-editor')
    .waitFor({ timeout: UI_TIMEOUT })
    .catch(async (error: unknown) => {
      const shown = await page.locator('body').innerText();
      throw new Error(
        `GraphiQL did not start. The page shows ${JSON.stringify(shown.slice(0, 200))}; requests to other hosts: ${JSON.stringify(browser.blocked)}`,
        { cause: error },
      );
    });
  expect(await page.locator('#root').innerText()).not.toMatch(/Loading/);
}

/** Runs one operation of the active tab's document through the execute button's menu. */
async function runOperation(page: Page, name: string): Promise<void> {
  await page.locator('.graphiql-execute-button').click();
  await page.getByRole('menuitem', { name }).click();
}

describe.skipIf(!browserTestsEnabled())('GraphiQL offline in headless Chromium (development secret)', () => {
  let server: TestServer;
  let browser: OfflineBrowser;
  let devToken: string;

  beforeAll(async () => {
    // No JWT_SECRET: the server creates and uses the development secret in DATA_DIR.
    server = await startTestServer('sqlite', { JWT_SECRET: '' });
    const secret = readFileSync(join(server.env.DATA_DIR ?? '', DEV_SECRET_FILE), 'utf8').trim();
    devToken = await signServerToken(loadConfig(server.env), secret, { subject: GRAPHIQL_DEV_USER, expiresIn: '5m' });
    browser = await openOfflineBrowser(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads without any other host, runs the prefilled CreateSession as the development user', async () => {
    const { page } = browser;
    const assets: string[] = [];
    page.on('request', (request) => {
      if (['script', 'stylesheet'].includes(request.resourceType())) assets.push(request.url());
    });
    await openGraphiQL(browser, server.graphqlUrl);

    await runOperation(page, 'CreateSession');
    await expect.poll(() => responseText(page), { timeout: UI_TIMEOUT }).toContain('Tried in GraphiQL');

    const id = /"id":\s*"([^"]+)"/.exec(await responseText(page))?.[1];
    expect(id).toBeDefined();
    const mine = await graphql(server.graphqlUrl, 'query($id: ID!) { session(id: $id) { title } }', { id }, { token: devToken });
    expect(dataOf(mine)).toEqual({ session: { title: 'Tried in GraphiQL' } });

    expect(browser.blocked).toEqual([]);
    expect(assets.length).toBeGreaterThan(0);
    for (const url of assets) expect(new URL(url).origin).toBe(server.url);
    expect(browser.errors).toEqual([]);
  });

  it('streams messageReceived over SSE while a message is sent', async () => {
    const { page } = browser;
    const created = await graphql<{ createSession: { id: string } }>(
      server.graphqlUrl,
      'mutation { createSession(input: { title: "live" }) { id } }',
      {},
      { token: devToken },
    );
    const sessionId = dataOf(created).createSession.id;

    // A plain click reads as the start of a drag to the sortable tab bar; the click event alone selects.
    const tab = page.getByRole('tab', { name: 'MessageReceived' });
    await tab.locator('.graphiql-tab-button').dispatchEvent('click');
    await expect.poll(() => tab.getAttribute('aria-selected'), { timeout: UI_TIMEOUT }).toBe('true');
    await page.getByRole('button', { name: 'Variables' }).click();
    await replaceEditorText(page, '.graphiql-editor-tool .monaco-editor', JSON.stringify({ sessionId }));
    await page.locator('.graphiql-execute-button').click();
    // The subscription is running once the button offers to stop it.
    await page.locator('.graphiql-execute-button[aria-label*="Stop"]').waitFor({ timeout: UI_TIMEOUT });

    const sent = await graphql(
      server.graphqlUrl,
      'mutation($sessionId: ID!) { sendMessage(sessionId: $sessionId, input: { content: "hello through SSE" }) { seq } }',
      { sessionId },
      { token: devToken },
    );
    expect(dataOf(sent)).toEqual({ sendMessage: { seq: 1 } });
    await expect.poll(() => responseText(page), { timeout: UI_TIMEOUT }).toContain('hello through SSE');
    expect(browser.blocked).toEqual([]);
  });
});

describe.skipIf(!browserTestsEnabled())('GraphiQL in headless Chromium in production (GRAPHIQL=true, CSRF prevention on)', () => {
  let server: TestServer;
  let browser: OfflineBrowser;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { NODE_ENV: 'production', GRAPHIQL: 'true', GRAPHQL_INTROSPECTION: 'true' });
    browser = await openOfflineBrowser(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('passes CSRF prevention and answers the placeholder token UNAUTHENTICATED', async () => {
    const { page } = browser;
    await openGraphiQL(browser, server.graphqlUrl);
    await runOperation(page, 'MySessions');
    await expect.poll(() => responseText(page), { timeout: UI_TIMEOUT }).toContain('UNAUTHENTICATED');
    expect(await responseText(page)).not.toMatch(/csrf/i);
    expect(browser.blocked).toEqual([]);
  });
});
