import { copyFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from './helpers/browser.js';
import { startChild, type Child } from './helpers/child.js';
import { freePort } from './helpers/ports.js';
import { CLI } from './helpers/vigil.js';
import { startStack, type TestStack } from './helpers/vigil-stack.js';
import { waitFor } from './helpers/wait.js';

interface ServersAnswer {
  servers: Array<{ instance: string; cpu: number | null; health: string }>;
}

const RULE = { id: 'e2e-cpu', name: 'E2eCpuAboveZero' };

/** The dashboard's browser app in real Chromium against `vigil stack` (one stack for the whole file). */
describe('the dashboard in a real browser against vigil stack', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let instance: string;
  let secondAgent: Child | undefined;
  let agentDir: string | undefined;

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    ({ page, errors } = await newPage(browser));
    // The local agent, once Prometheus has scraped it.
    instance = await waitFor(
      'the local agent in /api/v1/servers',
      async () => {
        const r = (await (await fetch(`${stack.dashboard}/api/v1/servers`)).json()) as ServersAnswer;
        return r.servers.find((s) => s.health === 'up' && s.cpu !== null)?.instance;
      },
      60_000,
      500,
    );
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await secondAgent?.stop(5000);
    if (agentDir) await rm(agentDir, { recursive: true, force: true });
    await stack?.stop();
  }, 60_000);

  const at = (path: string) => `${stack.dashboard}${path}`;
  const attr = async (selector: string, name: string) => Number(await page.locator(selector).first().getAttribute(name));

  it('the overview lists the local server, and a second agent started during the test appears without a reload', async () => {
    await page.goto(at('/'));
    const card = page.locator(`.server-card[data-instance="${instance}"]`);
    await card.waitFor({ timeout: 30_000 });
    await expect.poll(async () => card.locator('[data-metric="cpu"] .meter-value').textContent(), { timeout: 20_000 }).toMatch(/%/);
    await page.evaluate(() => ((window as unknown as { noReload: number }).noReload = 42));

    agentDir = await mkdtemp(join(tmpdir(), 'vigil-e2e-agent-'));
    const port = await freePort();
    secondAgent = startChild(process.execPath, [CLI, 'agent'], {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        DATA_DIR: agentDir,
        AGENT_PORT: String(port),
        AGENT_TOP_PROCESSES: '0',
        VIGIL_REGISTER_URL: `${stack.dashboard}/api/v1/sd/register`,
        VIGIL_ADVERTISE_ADDRESS: `127.0.0.1:${port}`,
        VIGIL_REGISTER_INTERVAL_SECONDS: '2',
      },
    });
    const second = page.locator(`.server-card[data-instance="127.0.0.1:${port}"]`);
    await second.waitFor({ timeout: 60_000 });
    // Once Prometheus has scraped it through http_sd, it turns from pending to up.
    await expect.poll(async () => second.getAttribute('class'), { timeout: 60_000 }).not.toMatch(/status-grey/);
    expect(await page.evaluate(() => (window as unknown as { noReload?: number }).noReload)).toBe(42);
    expect(await page.locator('.server-card').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'dashboard-overview');

    // A server that stops answering (killed: no deregistration) turns red after Prometheus's next scrape.
    secondAgent.proc.kill('SIGKILL');
    await expect.poll(async () => second.locator('.chip').textContent(), { timeout: 45_000 }).toBe('DOWN');
    expect(await second.getAttribute('class')).toMatch(/status-red/);
    await screenshot(page, 'dashboard-overview-down');
  });

  it("the server page's CPU chart receives new points over Socket.IO", async () => {
    let deltas = 0;
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string' && f.payload.includes('"delta"')) deltas++;
      }),
    );
    await page.goto(at(`/servers/${encodeURIComponent(instance)}`));
    const cpu = '[data-panel="cpu"] .chart';
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 0, cpu, { timeout: 30_000 });
    const first = await attr(cpu, 'data-last');
    await page.waitForFunction(
      ([sel, t]) => Number(document.querySelector(sel as string)?.getAttribute('data-last')) > (t as number),
      [cpu, first] as const,
      { timeout: 30_000 },
    );
    expect(await attr(cpu, 'data-last')).toBeGreaterThan(first);
    expect(deltas).toBeGreaterThan(0);
    // The other panels are drawn too, and the process tables are filled.
    for (const p of ['cpuCores', 'memory', 'disk', 'networkIn', 'load'])
      expect(await attr(`[data-panel="${p}"] .chart`, 'data-points'), p).toBeGreaterThan(0);
    expect(await page.locator('[data-panel="processesCpu"] tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'dashboard-server');
  });

  it('the time-range picker shows history from query_range and returns to live', async () => {
    const ranged = page.waitForResponse((r) => r.url().includes('/api/prometheus/v1/query_range') && r.status() === 200);
    await page.click('[data-range="15m"]');
    await ranged;
    await page.waitForSelector('.server-page[data-mode="history"]');
    expect(new URL(page.url()).searchParams.get('range')).toBe('15m');
    const cpu = '[data-panel="cpu"] .chart';
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 0, cpu, { timeout: 30_000 });
    expect(await attr(cpu, 'data-points')).toBeLessThanOrEqual(1000);
    // Shareable: a reload shows the same history view.
    await page.reload();
    await page.waitForSelector('.server-page[data-mode="history"]');
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-points')) > 0, cpu, { timeout: 30_000 });
    expect(await page.locator('[data-range="15m"].active').count()).toBe(1);
    await screenshot(page, 'dashboard-server-history');
    const historyLast = await attr(cpu, 'data-last');

    await page.click('[data-range="live"]');
    await page.waitForSelector('.server-page[data-mode="live"]');
    expect(new URL(page.url()).searchParams.get('range')).toBeNull();
    await page.waitForFunction(
      ([sel, t]) => Number(document.querySelector(sel as string)?.getAttribute('data-last')) > (t as number),
      [cpu, historyLast] as const,
      { timeout: 30_000 },
    );
  });

  it('the Query page completes metric names, runs rate(cpu_seconds_total[1m]), draws it and shows errors inline', async () => {
    await page.goto(at('/query'));
    const editor = page.locator('#promql .cm-content');
    await editor.click();
    await page.keyboard.type('cpu_seconds_t');
    // Autocompletion from the live metric names, through the dashboard's Prometheus proxy.
    await page.locator('.cm-tooltip-autocomplete', { hasText: 'cpu_seconds_total' }).waitFor({ timeout: 15_000 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('rate(cpu_seconds_total[1m])');
    await page.keyboard.press('Escape');
    await page.click('#run-query');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-panel="query-chart"] .chart')?.getAttribute('data-points')) > 0,
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.locator('#query-table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#query-table').textContent()).toContain('mode="user"');
    // Highlighting: the grammar split the expression into styled tokens.
    expect(await page.locator('#promql .cm-line span').count()).toBeGreaterThan(2);
    expect(new URL(page.url()).searchParams.get('expr')).toBe('rate(cpu_seconds_total[1m])');
    await screenshot(page, 'dashboard-query');

    await editor.click();
    await page.keyboard.press('Control+A');
    // (The editor closes brackets as one types, so the broken query is a dangling operator.)
    await page.keyboard.type('rate(cpu_seconds_total[1m]) +');
    await page.keyboard.press('Escape');
    await page.click('#run-query');
    await expect.poll(async () => page.locator('#query-error').textContent(), { timeout: 15_000 }).toMatch(/parse error/i);
    await screenshot(page, 'dashboard-query-error');
  });

  it('a rule created on the Rules page appears in analytics, its errors show at the field, and its backtest is drawn', async () => {
    await page.goto(at('/rules'));
    await page.waitForSelector('#rules-table');
    await page.click('#new-rule');
    await page.fill('#rule-name', RULE.name);
    await page.fill('#rule-id', RULE.id);
    await page.selectOption('#rule-op', '>=');
    await page.fill('#rule-value', '0');
    await page.fill('#rule-frequency', '5s');
    await page.click('#rule-expr .cm-content');
    await page.keyboard.type('cpu_usage_percent >');
    await page.keyboard.press('Escape');
    await page.click('#save-rule');
    // The API's validation error lands at the expression, with its line and column.
    await expect.poll(async () => page.locator('[data-error-for="expr"]').textContent(), { timeout: 15_000 }).toMatch(/line 1, column \d+/);
    await screenshot(page, 'dashboard-rules-error');
    await page.click('#rule-expr .cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('cpu_usage_percent');
    await page.keyboard.press('Escape');
    await page.click('#save-rule');
    await page.waitForSelector('#rule-saved', { timeout: 15_000 });

    const stored = (await (await fetch(`${stack.analytics}/api/v1/rules/${RULE.id}`)).json()) as {
      name: string;
      expr: string;
      op: string;
      value: number;
      enabled: boolean;
    };
    expect(stored).toMatchObject({ name: RULE.name, expr: 'cpu_usage_percent', op: '>=', value: 0, enabled: false });
    await page.waitForSelector(`#rules-table tr[data-rule="${RULE.id}"]`);

    await page.click('#run-backtest');
    await page.waitForFunction(() => Number(document.querySelector('#backtest .chart')?.getAttribute('data-shades')) > 0, undefined, {
      timeout: 30_000,
    });
    expect(await attr('#backtest .chart', 'data-points')).toBeGreaterThan(0);
    expect(await page.locator('#backtest-intervals tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'dashboard-rules-backtest');

    // Seed 000's JSON shape, pasted in the JSON tab, is accepted and translated by analytics.
    await page.click('#new-rule');
    await page.click('[data-mode="json"]');
    await page.fill(
      '#rule-json',
      JSON.stringify({
        name: 'Rule4',
        namespace: 'Recommendation',
        frequency: '0d_0h_0m_5000s',
        rule_condition: 'P99 cpu_usage_percent 0d_0h_5m_0s > 300',
        actions: [{ name: 'gmail', value: 'ops@example.com' }],
      }),
    );
    await page.click('#save-rule');
    await page.locator('#rule-saved', { hasText: 'rule4' }).waitFor({ timeout: 15_000 });
    const all = (await (await fetch(`${stack.analytics}/api/v1/rules`)).json()) as {
      rules: Array<{ name: string; kind: string; expr: string; actions: unknown[] }>;
    };
    expect(all.rules.find((r) => r.name === 'Rule4')).toMatchObject({
      kind: 'threshold',
      expr: 'quantile_over_time(0.99, cpu_usage_percent[5m])',
      actions: [{ type: 'email', value: 'ops@example.com' }],
    });
  });

  it('an alert the stack fires appears on the Alerts page; the link in its real email opens its page, where it is acknowledged', async () => {
    // Analytics' generatorURL, DASHBOARD_URL/?rule=<id>, opens that rule on the Rules page.
    await page.goto(at(`/?rule=${RULE.id}`));
    await page.waitForURL((u) => u.pathname === '/rules' && u.searchParams.get('rule') === RULE.id);
    await page.locator('#rule-editor h2', { hasText: RULE.id }).waitFor({ timeout: 15_000 });
    // Enable the rule from the list: cpu_usage_percent >= 0 holds at once.
    await page.click(`#rules-table tr[data-rule="${RULE.id}"] button:has-text("Enable")`);
    await expect
      .poll(async () => ((await (await fetch(`${stack.analytics}/api/v1/rules/${RULE.id}`)).json()) as { enabled: boolean }).enabled, {
        timeout: 15_000,
      })
      .toBe(true);

    await page.goto(at('/alerts'));
    await page.locator('#current-alerts tr', { hasText: RULE.name }).first().waitFor({ timeout: 60_000 });
    await screenshot(page, 'dashboard-alerts');
    // Filters: a severity with no alert empties the list, and the filter is kept in the URL.
    await page.selectOption('[data-filter="severity"]', 'info');
    await page.waitForSelector('#current-alerts', { state: 'detached' });
    expect(new URL(page.url()).searchParams.get('severity')).toBe('info');
    await page.selectOption('[data-filter="severity"]', '');
    await page.locator('#current-alerts tr', { hasText: RULE.name }).first().waitFor({ timeout: 15_000 });

    const raw = await waitFor('the alert email in the mail catcher', () => stack.emails().find((e) => e.includes(RULE.name)), 60_000, 500);
    const mail = await simpleParser(raw);
    const links = [...String(mail.html || mail.text || '').matchAll(/https?:\/\/[^"'\s<>]+\/alerts\/[0-9a-f]{8,}/g)].map((m) => m[0]);
    expect(links.length).toBeGreaterThan(0);
    const link = new URL(links[0]!);
    expect(link.origin).toBe(stack.dashboard);
    await page.goto(link.href);
    await expect.poll(async () => page.locator('h1').textContent(), { timeout: 15_000 }).toBe(RULE.name);
    expect(await page.locator('#alert-state').textContent()).toBe('FIRING');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-panel="alert-series"] .chart')?.getAttribute('data-points')) > 0,
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.locator('#alert-timeline li[data-event="fired"]').count()).toBe(1);

    const comment = 'Looking into it: e2e test load';
    await page.fill('#ack-by', 'e2e');
    await page.fill('#ack-comment', comment);
    await page.click('#ack button:has-text("Acknowledge")');
    await expect.poll(async () => page.locator('#ack-info').textContent(), { timeout: 15_000 }).toContain(comment);
    expect(await page.locator('#alert-state').textContent()).toBe('ACKNOWLEDGED');
    await page.locator('#alert-timeline li[data-event="acked"]').waitFor({ timeout: 15_000 });
    const fp = link.pathname.split('/').pop()!;
    const held = (await (await fetch(`${stack.alerts}/api/v1/alerts/${fp}`)).json()) as {
      alert: { status: { acked: { by: string; comment: string } | null } };
    };
    expect(held.alert.status.acked).toMatchObject({ by: 'e2e', comment });
    await screenshot(page, 'dashboard-alert');
  });

  it('a phone-sized screen in dark mode lays the overview out in one column, and no page broke the CSP', { timeout: 300_000 }, async () => {
    const phone = await newPage(browser, { width: 390, height: 844 }, 'dark');
    await phone.page.goto(at('/'));
    await phone.page.locator('.server-card').first().waitFor({ timeout: 30_000 });
    const widths = await phone.page.$$eval('.server-card', (els) => els.map((e) => e.getBoundingClientRect().width));
    for (const w of widths) expect(w).toBeLessThanOrEqual(390);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const bg = await phone.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(13, 17, 23)');
    await screenshot(phone.page, 'dashboard-overview-phone-dark');
    await phone.page.goto(at(`/servers/${encodeURIComponent(instance)}`));
    await phone.page.waitForFunction(
      () => Number(document.querySelector('[data-panel="cpu"] .chart')?.getAttribute('data-points')) > 0,
      undefined,
      { timeout: 30_000 },
    );
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone.page, 'dashboard-server-phone-dark');
    await phone.page.context().close();

    // The README's pictures, taken last so that the charts and sparklines have a few minutes of data.
    mkdirSync('docs', { recursive: true });
    await page.goto(at('/'));
    // Sparklines have a point a minute: the first comes at the first minute mark with data.
    await page.locator('.server-card .spark').first().waitFor({ timeout: 90_000 });
    await page.setViewportSize({ width: 1366, height: 520 }); // the README's picture: no empty page below the cards
    copyFileSync(await screenshot(page, 'dashboard-overview-later'), 'docs/dashboard-overview.png');
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(at(`/servers/${encodeURIComponent(instance)}`));
    await page.waitForFunction(
      () => Number(document.querySelector('[data-panel="cpu"] .chart')?.getAttribute('data-points')) > 10,
      undefined,
      { timeout: 60_000 },
    );
    copyFileSync(await screenshot(page, 'dashboard-server-later'), 'docs/dashboard-server.png');
    expect([...errors, ...phone.errors].filter((e) => /Content Security Policy|uncaught/i.test(e))).toEqual([]);
  });
});
