import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from './helpers/browser.js';
import { startStack, type TestStack } from './helpers/vigil-stack.js';
import { waitFor } from './helpers/wait.js';

const TOKEN = 'e2e-dashboard-token-7f3a';

/** With DASHBOARD_TOKEN set, the browser app is behind the server-rendered login, and works after it. */
describe('the dashboard behind DASHBOARD_TOKEN in a real browser', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    // The agent and the dashboard are enough here (Prometheus and Alertmanager always run).
    stack = await startStack({ DASHBOARD_TOKEN: TOKEN }, ['--services', 'agent,dashboard']);
    browser = await launchBrowser();
    // Prometheus itself is not behind the token: wait until it has scraped the agent, so `up` has series.
    await waitFor(
      'Prometheus to scrape the agent',
      async () => {
        const r = (await (await fetch(`${stack.prometheus}/api/v1/query?query=up{job="agent"}`)).json()) as { data: { result: unknown[] } };
        return r.data.result.length > 0;
      },
      60_000,
      500,
    );
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  it('a page without login shows the login form, a wrong token is refused, and after login the same page works, live', async () => {
    const { page, errors } = await newPage(browser);
    const anonymous = await fetch(`${stack.dashboard}/api/v1/servers`);
    expect(anonymous.status).toBe(401);

    await page.goto(`${stack.dashboard}/query?expr=up`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.waitForSelector('input#token');
    await screenshot(page, 'dashboard-login');

    await page.fill('input#token', 'not-the-token');
    await page.click('button[type="submit"]');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('.cm-content').count()).toBe(0);

    await page.fill('input#token', TOKEN);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => u.pathname === '/query');
    expect(new URL(page.url()).searchParams.get('expr')).toBe('up');
    // The cookie authenticates the proxy: the query ran and drew its result.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-panel="query-chart"] .chart')?.getAttribute('data-points')) > 0,
      undefined,
      { timeout: 30_000 },
    );

    // ... and the Socket.IO handshake: the overview fills from the live servers list.
    await page.click('a[data-section="overview"]');
    await page.locator('.server-card').first().waitFor({ timeout: 30_000 });
    await page.waitForSelector('#conn.on');
    // Analytics and alerts do not run in this stack: the banner names the unreachable service.
    await page.locator('#banner [data-upstream="alerts"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#banner').textContent()).toContain('The alerts service is unreachable');
    await screenshot(page, 'dashboard-after-login');

    // Log out: the session cookie is gone and the pages ask for the login again.
    await page.click('.logout button');
    await page.waitForURL((u) => u.pathname === '/login');
    await page.goto(`${stack.dashboard}/rules`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(errors.filter((e) => /Content Security Policy|uncaught/i.test(e))).toEqual([]);
  });
});
