import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireBinary } from './binaries.js';

/** Chromium flags that start Debian's chromium headless in a container without a GPU or network noise. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where browser tests save their screenshots (gitignored). */
export const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');

/** launchBrowser starts the system's Chromium (Debian `chromium`) through playwright-core. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: requireBinary('chromium'), args: CHROMIUM_ARGS });
}

/** A page that records the console errors it logs (CSP violations among them) and uncaught exceptions. */
export interface WatchedPage {
  page: Page;
  errors: string[];
}

/** newPage opens a page at a laptop size (or the given one) that records its console errors. */
export async function newPage(
  browser: Browser,
  viewport = { width: 1366, height: 900 },
  colorScheme: 'light' | 'dark' = 'light',
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { page, errors };
}

/** screenshot saves a full-page PNG as test/artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  // A sticky header would be drawn where the page was scrolled to: take the picture from the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}
