import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../../../common/logger.js';
import type { Notification } from '../notification.js';
import type { AlertsMetrics } from '../../metrics.js';
import { styleOf } from '../describe.js';
import type { Delivery, Notifier, NotifyResult } from '../notifier.js';
import { chartSpec, type SeriesSource } from './chart-data.js';
import { renderChart } from './charts.js';
import { renderEmail, type InlineChart } from './render.js';

/** Options of the email notifier. */
export interface EmailNotifierOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  /** Where chart data comes from; without it emails carry no charts. */
  series?: SeriesSource;
  /** Alerts per email that get charts (each gets a 24 h and a 48 h chart). */
  maxChartedAlerts?: number;
  metrics: AlertsMetrics;
  logger: Logger;
}

/** Transport error codes nodemailer uses when the server could not be talked to: worth retrying. */
const TRANSIENT = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPROTOCOL']);
const WINDOWS = [24, 48] as const; // hours

/**
 * EmailNotifier sends a notification as one HTML email with a plain-text alternative and inline PNG
 * charts, over SMTP with nodemailer. The idempotency key is the Message-ID, so a receiving system that
 * deduplicates by Message-ID also drops a retry of an email that did arrive.
 */
export class EmailNotifier implements Notifier<Notification> {
  readonly channel = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly o: EmailNotifierOptions) {
    const loopback = o.host === 'localhost' || o.host.startsWith('127.') || o.host === '::1';
    this.transport = nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: o.secure,
      ignoreTLS: loopback && !o.secure,
      auth: o.user ? { user: o.user, pass: o.password ?? '' } : undefined,
      pool: true,
      maxConnections: 4,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /** charts fetches and renders the 24 h and 48 h charts of the first alerts that name a query. */
  async charts(n: Notification): Promise<{ charts: InlineChart[]; note?: string }> {
    if (!this.o.series) return { charts: [], note: 'Charts are off: PROMETHEUS_URL is not set.' };
    const charts: InlineChart[] = [];
    let note: string | undefined;
    const end = n.alerts[0]?.status === 'resolved' ? Date.parse(n.alerts[0].endsAt ?? n.createdAt) : Date.parse(n.createdAt);
    for (const a of n.alerts.slice(0, this.o.maxChartedAlerts ?? 3)) {
      const spec = chartSpec(a, Date.parse(n.createdAt));
      if (!spec) continue;
      for (const hours of WINDOWS) {
        const stop = this.o.metrics.chartRenderDuration.startTimer();
        try {
          const start = end - hours * 3600_000;
          const series = (await this.o.series.rangeQuery(spec.expr, new Date(start), new Date(end), (hours * 3600) / 288)).slice(0, 10);
          const png = await renderChart({
            title: `${spec.expr.length > 70 ? `${spec.expr.slice(0, 69)}…` : spec.expr} — last ${hours} h`,
            series,
            spec,
            start,
            end,
            color: styleOf(a).color,
          });
          charts.push({ cid: `chart-${hours}h-${a.fingerprint}@vigil`, fingerprint: a.fingerprint, hours, png });
        } catch (err) {
          note = `Charts unavailable: ${(err as Error).message}`;
          this.o.logger.warn({ err: (err as Error).message, expr: spec.expr }, 'could not draw a chart; sending the email without it');
        } finally {
          stop();
        }
      }
    }
    return { charts, note };
  }

  /** notify renders and sends one email to the delivery's recipients. */
  async notify(d: Delivery<Notification>): Promise<NotifyResult> {
    const n = d.payload;
    const { charts, note } = await this.charts(n);
    const mail = renderEmail(n, charts, note);
    try {
      await this.transport.sendMail({
        from: this.o.from,
        to: d.target,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: `<${d.key}@vigil.alerts>`,
        headers: {
          'X-Vigil-Idempotency-Key': d.key,
          'X-Vigil-Fingerprints': n.alerts.map((a) => a.fingerprint).join(','),
          'X-Vigil-Kind': n.kind,
        },
        attachments: charts.map((c) => ({
          filename: `${c.hours}h.png`,
          content: c.png,
          cid: c.cid,
          contentType: 'image/png',
          contentDisposition: 'inline' as const,
        })),
      });
      return { ok: true };
    } catch (err) {
      const e = err as Error & { code?: string; responseCode?: number };
      const rc = e.responseCode;
      const retry = rc !== undefined ? rc < 500 : e.code === undefined || TRANSIENT.has(e.code);
      return { ok: false, retry, error: `SMTP ${this.o.host}:${this.o.port}: ${rc ?? e.code ?? ''} ${e.message}`.trim() };
    }
  }

  /** close ends the pooled SMTP connections. */
  close(): void {
    this.transport.close();
  }
}
