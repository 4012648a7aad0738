import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../common/fs-atomic.js';

/** How long a delivered key is remembered; a retry older than this is treated as new. */
const KEEP_MS = 7 * 24 * 3600 * 1000;

/**
 * DeliveredLog remembers the idempotency keys of delivered notifications (an append-only file,
 * fsynced per record), so that a delivery that succeeded just before a crash is not sent again when
 * its outbox entry is found on restart.
 */
export class DeliveredLog {
  private readonly keys = new Map<string, number>();
  private fh?: FileHandle;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** open loads the log, drops keys older than a week and rewrites it compactly. */
  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const text = await readFile(this.path, 'utf8').catch(() => '');
    const cutoff = Date.now() - KEEP_MS;
    for (const line of text.split('\n')) {
      const [key, at] = line.split('\t');
      const t = Number(at);
      if (key && Number.isFinite(t) && t >= cutoff) this.keys.set(key, t);
    }
    await writeFileAtomic(this.path, [...this.keys].map(([k, t]) => `${k}\t${t}\n`).join(''));
    this.fh = await open(this.path, 'a');
  }

  /** has is true when `key` was delivered. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** add records `key` as delivered and resolves once it is on disk. */
  add(key: string): Promise<void> {
    this.keys.set(key, Date.now());
    const line = `${key.replace(/[\t\n]/g, ' ')}\t${Date.now()}\n`;
    this.chain = this.chain.catch(() => undefined).then(async () => {
      if (!this.fh) return;
      await this.fh.write(line);
      await this.fh.datasync();
    });
    return this.chain;
  }

  /** close flushes and closes the file. */
  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.fh?.close();
    this.fh = undefined;
  }
}
