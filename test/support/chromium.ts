/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core
 * (no browser is ever downloaded), a fresh profile per launch, and a network that reaches
 * only the server under test. With CI=true a missing Chromium is a failure, never a skip.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** False when browser tests should be skipped: Chromium is missing and this is not CI. */
export function browserTestsEnabled(): boolean {
  return existsSync(CHROMIUM_PATH) || process.env.CI === 'true';
}

/** A request the page attempted to an origin other than the server's (it was aborted). */
export interface BlockedRequest {
  url: string;
  resourceType: string;
}

export interface OfflineBrowser {
  page: Page;
  /** Every request that tried to leave the server's origin, in order. */
  blocked: BlockedRequest[];
  /** Console errors and uncaught page errors, for the failure message. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh profile and one page whose every request to a host other
 * than `allowedOrigin`'s is recorded and aborted.
 */
export async function openOfflineBrowser(allowedOrigin: string): Promise<OfflineBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: apt-get install -y chromium (.ci/run does this)`);
  }
  const allowedHost = new URL(allowedOrigin).host;
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 15_000,
    });
    const blocked: BlockedRequest[] = [];
    await context.route('**/*', (route) => {
      const request = route.request();
      if (isLocal(request.url(), allowedHost)) return route.continue();
      blocked.push({ url: request.url(), resourceType: request.resourceType() });
      return route.abort('internetdisconnected');
    });
    const errors: string[] = [];
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    const opened = context;
    return {
      page,
      blocked,
      errors,
      async close() {
        await opened.close().finally(() => rmSync(profile, { recursive: true, force: true }));
      },
    };
  } catch (error) {
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Whether a URL is the server's; `data:` and `blob:` URLs never touch the network and count as local. */
export function isLocal(url: string, allowedHost: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:')) return true;
  try {
    return new URL(url).host === allowedHost;
  } catch {
    return false;
  }
}
