import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../../common/logger.js';

/** A running local SMTP catcher. */
export interface MailCatcher {
  host: string;
  port: number;
  /** Directory the .eml files are written to. */
  dir: string;
  close(): Promise<void>;
}

/**
 * startMailCatcher runs an SMTP server on loopback that stores every message it receives as an .eml
 * file in `dir` (open it with any mail client) and logs where. `vigil stack` uses it when no
 * `SMTP_HOST` is set, so a new user sees the alert emails without configuring a mail server.
 */
export async function startMailCatcher(dir: string, port: number, logger: Logger): Promise<MailCatcher> {
  await mkdir(dir, { recursive: true });
  let seq = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    banner: 'Vigil local mail catcher',
    size: 25 * 1024 * 1024,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++seq).padStart(4, '0')}.eml`;
        const path = join(dir, name);
        writeFile(path, Buffer.concat(chunks)).then(
          () => {
            const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
            logger.info({ path, to }, `alert email caught; open ${path} with a mail client`);
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.on('error', (err) => logger.warn({ err: err.message }, 'mail catcher error'));
  const bound = (server.server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port: bound,
    dir,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
