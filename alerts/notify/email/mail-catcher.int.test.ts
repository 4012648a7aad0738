import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/ports.js';
import { startVigil, waitReady } from '../../../test/helpers/vigil.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { alert } from '../../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('vigil alerts with the local mail catcher (what vigil stack runs without SMTP_HOST)', () => {
  it('stores each alert email as an .eml under DATA_DIR/mail and logs where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-catcher-'));
    const port = await freePort();
    const child = startVigil(['alerts'], {
      DATA_DIR: dir,
      ALERTS_PORT: String(port),
      ALERTS_HOST: '127.0.0.1',
      ALERTS_MAIL_CATCHER: 'true',
      SMTP_HOST: '',
      ALERT_EMAIL_TO: 'me@example.com',
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      LOG_LEVEL: 'info',
    });
    cleanups.push(
      () => rm(dir, { recursive: true, force: true }),
      () => child.stop(),
    );
    const url = `http://127.0.0.1:${port}`;
    await waitReady(child, url);
    expect(child.output()).toContain(`alert emails are saved as .eml files in ${join(dir, 'mail')}`);
    const r = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([alert({ instance: 'laptop:9101' })]),
    });
    expect(r.status).toBe(200);
    const files = await waitFor('an .eml file', async () => {
      const list = (await readdir(join(dir, 'mail')).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
      return list.length ? list : undefined;
    });
    const mail = await simpleParser(await readFile(join(dir, 'mail', files[0]!)));
    expect(mail.subject).toBe('[CRITICAL] HighCpu on laptop:9101');
    expect((mail.to as { text: string }).text).toBe('me@example.com');
    await waitFor('the log line naming the file', () => child.output().includes(files[0]!));
  });
});
