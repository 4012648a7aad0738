import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../../../test/helpers/binaries.js';
import type { Notification } from '../notification.js';
import { chartSpec } from './chart-data.js';
import { CHART_HEIGHT, CHART_WIDTH, renderChart } from './charts.js';
import { renderEmail, type InlineChart } from './render.js';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('the alert email in a real browser (Chromium)', () => {
  it('lays out with its coloured header and both charts loaded at their declared size', async () => {
    const end = Date.UTC(2026, 0, 12, 9, 30);
    const pts: Array<[number, number]> = [];
    for (let t = end - 48 * 3600e3; t <= end; t += 300e3) {
      const h = (t - end) / 3600e3;
      pts.push([t, 52 + 14 * Math.sin((h / 24) * 2 * Math.PI) + 3 * Math.sin(h * 3) + (h > -1.5 ? 30 * (1 + h / 1.5) + 12 : 0)]);
    }
    const a = {
      fingerprint: '3f2a9c1d7e5b4a60',
      status: 'firing' as const,
      labels: { alertname: 'HighCpuUsage', instance: 'web-1:9101', severity: 'critical', rule_kind: 'threshold' },
      annotations: {
        summary: 'cpu_usage_percent on instance web-1:9101 is 94.2 (threshold > 80)',
        description: 'HighCpuUsage: cpu_usage_percent on instance web-1:9101 is 94.2, > the threshold 80; it resolves once back past 75.',
        value: '94.2',
        threshold: '80',
        op: '>',
        metric: 'cpu_usage_percent',
        query: 'cpu_usage_percent{instance="web-1:9101"}',
      },
      startsAt: new Date(end - 6 * 60e3).toISOString(),
      dashboardURL: 'http://localhost:5000/alerts/3f2a9c1d7e5b4a60',
    };
    const n: Notification = { kind: 'firing', group: 'web-1:9101', alerts: [a], createdAt: new Date(end).toISOString() };
    const spec = chartSpec(a)!;
    const charts: InlineChart[] = [];
    for (const hours of [24, 48]) {
      const start = end - hours * 3600e3;
      charts.push({
        cid: `c${hours}@vigil`,
        fingerprint: a.fingerprint,
        hours,
        png: await renderChart({
          title: `${spec.expr} — last ${hours} h`,
          series: [pts.filter(([t]) => t >= start)],
          spec,
          start,
          end,
          color: '#c62828',
        }),
      });
    }
    let html = renderEmail(n, charts).html;
    for (const c of charts) html = html.replaceAll(`cid:${c.cid}`, `data:image/png;base64,${c.png.toString('base64')}`);

    const browser = await chromium.launch({ executablePath: requireBinary('chromium'), args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 720, height: 900 }, deviceScaleFactor: 1 });
      await page.setContent(html, { waitUntil: 'load' });
      const imgs = await page.$$eval('img', (els) =>
        els.map((e) => ({
          w: (e as HTMLImageElement).naturalWidth,
          h: (e as HTMLImageElement).naturalHeight,
          ok: (e as HTMLImageElement).complete,
        })),
      );
      expect(imgs).toEqual([
        { w: CHART_WIDTH, h: CHART_HEIGHT, ok: true },
        { w: CHART_WIDTH, h: CHART_HEIGHT, ok: true },
      ]);
      const header = await page.$eval('h1', (e) => getComputedStyle(e.closest('td')!).backgroundColor);
      expect(header).toBe('rgb(198, 40, 40)');
      mkdirSync('test/artifacts', { recursive: true });
      writeFileSync('test/artifacts/alerts-email-screenshot.html', html);
      await page.screenshot({ path: 'test/artifacts/alerts-email-screenshot.png', fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
