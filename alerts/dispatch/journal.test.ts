import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait.js';
import { StorageFullError } from '../errors.js';
import { fileIo, Journal, type JournalIo, type JournalRecord } from './journal.js';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-journal-'));
  dirs.push(dir);
  return dir;
}

const rec = (i: number): JournalRecord => ({ t: 'ack', at: i, fingerprint: `fp${i}`, by: 'test', comment: '' });

/** settles says whether `p` settles before `other` does (a deadlocked promise never does). */
async function settlesBefore(p: Promise<unknown>, other: Promise<unknown>): Promise<boolean> {
  return Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    other.then(() => false),
  ]);
}

describe('Journal', () => {
  it('two overlapping snapshots and an append all complete (the snapshot/append deadlock)', async () => {
    const j = new Journal(await tempDir());
    await j.open();
    const applied: number[] = [];
    const s1 = j.snapshot(() => ({ n: applied.length }));
    const s2 = j.snapshot(() => ({ n: applied.length }));
    const a = j.append(rec(1), () => applied.push(1));
    // Wait for real progress rather than a fixed time: a deadlocked journal never gets there.
    const all = Promise.all([s1, s2, a]);
    const timeout = new Promise<void>((r) => setTimeout(r, 5000));
    expect(await settlesBefore(all, timeout)).toBe(true);
    expect(applied).toEqual([1]);
    await j.close();
  });

  it('a snapshot followed at once by an append completes', async () => {
    const j = new Journal(await tempDir());
    await j.open();
    const s = j.snapshot(() => ({}));
    const a = j.append(rec(1), () => undefined);
    const timeout = new Promise<void>((r) => setTimeout(r, 5000));
    expect(await settlesBefore(Promise.all([s, a]), timeout)).toBe(true);
    await j.close();
  });

  it('under interleaved appends and snapshots every append resolves, in order, and a reopen sees all of them', async () => {
    const dir = await tempDir();
    const j = new Journal(dir);
    await j.open();
    const applied: number[] = [];
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i++) {
      work.push(j.append(rec(i), () => applied.push(i)));
      if (i % 7 === 0) work.push(j.snapshot(() => ({ applied: [...applied] })));
    }
    await waitFor('every append and snapshot to settle', async () => (await Promise.all(work), true), 30_000);
    expect(applied).toEqual(Array.from({ length: 300 }, (_, i) => i));
    await j.close();
    const again = new Journal(dir);
    const { snapshot, records } = await again.open();
    const seen = [...((snapshot as { applied: number[] } | undefined)?.applied ?? []), ...records.map((r) => (r.t === 'ack' ? r.at : -1))];
    expect(new Set(seen)).toEqual(new Set(applied));
    await again.close();
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toContain('applied');
  });

  it('continues short writes until every byte is on disk', async () => {
    const dir = await tempDir();
    let calls = 0;
    const io: Partial<JournalIo> = {
      // The disk takes at most 7 bytes per call, as a filling disk may.
      write: (fh, buf, offset, length, position) => (calls++, fileIo.write(fh, buf, offset, Math.min(7, length), position)),
    };
    const j = new Journal(dir, io);
    await j.open();
    for (let i = 0; i < 5; i++) await j.append(rec(i), () => undefined);
    await j.close();
    expect(calls).toBeGreaterThan(5 * 8);
    const again = new Journal(dir);
    expect((await again.open()).records.map((r) => r.at)).toEqual([0, 1, 2, 3, 4]);
    await again.close();
  });

  it('a full disk rejects with STORAGE_FULL, leaves no partial record, and the journal goes on when space returns', async () => {
    const dir = await tempDir();
    let room = Infinity;
    const io: Partial<JournalIo> = {
      async write(fh, buf, offset, length, position) {
        if (room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        const n = await fileIo.write(fh, buf, offset, Math.min(room, length), position);
        room -= n;
        return n;
      },
    };
    const j = new Journal(dir, io);
    await j.open();
    await j.append(rec(1), () => undefined);
    room = 20; // the next record gets 20 of its bytes written, then the disk is full
    const applied: number[] = [];
    const err = await j
      .append(rec(2), () => applied.push(2))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as StorageFullError).code).toBe('STORAGE_FULL');
    expect((err as StorageFullError).status).toBe(503);
    expect(applied).toEqual([]);
    expect(j.status().full).toBe(true);
    expect(await readFile(join(dir, 'journal.jsonl'), 'utf8')).toBe(JSON.stringify(rec(1)) + '\n');
    room = Infinity;
    await j.append(rec(3), () => applied.push(3));
    expect(j.status().full).toBe(false);
    await j.close();
    const again = new Journal(dir);
    expect((await again.open()).records.map((r) => r.at)).toEqual([1, 3]);
    await again.close();
  });

  it('cuts off a torn last record on open, and the next record is not glued to it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'journal.jsonl'), JSON.stringify(rec(1)) + '\n' + JSON.stringify(rec(2)).slice(0, 15));
    const j = new Journal(dir);
    const r = await j.open();
    expect(r.records.map((x) => x.at)).toEqual([1]);
    expect(r.tornBytes).toBe(15);
    expect(r.setAside).toEqual([]);
    await j.append(rec(3), () => undefined);
    await j.close();
    const again = new Journal(dir);
    expect((await again.open()).records.map((x) => x.at)).toEqual([1, 3]);
    await again.close();
  });

  it('sets a corrupt state file and a corrupt journal aside and starts with what it can read', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'state.json'), '{"states": [{"fingerprint": "ab');
    await writeFile(join(dir, 'journal.jsonl'), [JSON.stringify(rec(1)), '\u0000\u0000garbage{', JSON.stringify(rec(2)), ''].join('\n'));
    const j = new Journal(dir);
    const r = await j.open();
    expect(r.snapshot).toBeUndefined();
    expect(r.records.map((x) => x.at)).toEqual([1, 2]);
    expect(r.setAside.map((s) => s.file).sort()).toEqual(['journal', 'state']);
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith('state.json.corrupt-'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('journal.jsonl.corrupt-'))).toHaveLength(1);
    await j.append(rec(3), () => undefined);
    await j.close();
    const again = new Journal(dir);
    const r2 = await again.open();
    expect(r2.records.map((x) => x.at)).toEqual([1, 2, 3]);
    expect(r2.setAside).toEqual([]);
    await again.close();
  });

  it('reports how long a stalled write has been running, and writes nothing twice when the state is unchanged', async () => {
    const dir = await tempDir();
    let stall = false;
    const io: Partial<JournalIo> = {
      write: (fh, buf, offset, length, position) =>
        stall ? new Promise<number>(() => undefined) : fileIo.write(fh, buf, offset, length, position),
    };
    const j = new Journal(dir, io);
    await j.open();
    expect(await j.snapshot(() => ({ a: 1 }))).toBe(true);
    expect(await j.snapshot(() => ({ a: 1 }))).toBe(false);
    expect(await j.snapshot(() => ({ a: 2 }))).toBe(true);
    stall = true;
    j.append(rec(1), () => undefined).catch(() => undefined);
    await waitFor('the stalled write to be seen as busy', () => j.status().busyMs >= 50);
    expect(j.status().queued).toBe(0);
  });
});
