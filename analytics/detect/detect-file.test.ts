import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFile } from './detect-file.js';
import { runDetect } from './run-detect.js';

const dir = await mkdtemp(join(tmpdir(), 'vigil-detect-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A day-seasonal series at 5-minute steps with noise, a spike and a drop. */
function series(n: number): string {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const rows = ['timestamp,value'];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    let v = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * rnd();
    if (i === 900) v += 60;
    if (i >= 1200 && i < 1210) v -= 45;
    rows.push(`${t},${v.toFixed(3)}`);
  }
  return rows.join('\n') + '\n';
}

describe('vigil detect', () => {
  it('is causal: the first k rows alone give the same first k output rows as the whole file', async () => {
    const text = series(1500);
    const lines = text.trimEnd().split('\n');
    await writeFile(join(dir, 'whole.csv'), text);
    await detectFile(join(dir, 'whole.csv'), join(dir, 'whole.out.csv'), {});
    const whole = (await readFile(join(dir, 'whole.out.csv'), 'utf8')).trimEnd().split('\n');
    expect(whole).toHaveLength(1501);
    for (const k of [300, 901, 1205]) {
      await writeFile(join(dir, `part${k}.csv`), lines.slice(0, k + 1).join('\n') + '\n');
      await detectFile(join(dir, `part${k}.csv`), join(dir, `part${k}.out.csv`), {});
      const part = (await readFile(join(dir, `part${k}.out.csv`), 'utf8')).trimEnd().split('\n');
      expect(part).toEqual(whole.slice(0, k + 1));
    }
    // The spike and the drop alert; the columns are as promised.
    expect(whole[0]).toBe('timestamp,value,anomaly_score,alert');
    const alertRows = whole.slice(1).flatMap((l, i) => (l.endsWith(',1') ? [i] : []));
    expect(alertRows).toContain(900);
    expect(alertRows.some((r) => r >= 1200 && r < 1210)).toBe(true);
  });

  it('mirrors sub-folders, reports progress and names a bad row', async () => {
    await mkdir(join(dir, 'in', 'a', 'b'), { recursive: true });
    await writeFile(join(dir, 'in', 'a', 'b', 'x.csv'), series(400));
    await writeFile(join(dir, 'in', 'y.csv'), series(300));
    const log: string[] = [];
    const s = await runDetect({ input: join(dir, 'in'), output: join(dir, 'out'), log: (l) => log.push(l), progressEvery: 100 });
    expect(s.files.map((f) => f.file)).toEqual(['a/b/x.csv', 'y.csv']);
    expect(s.rows).toBe(700);
    expect((await readFile(join(dir, 'out', 'a', 'b', 'x.csv'), 'utf8')).split('\n')[0]).toBe('timestamp,value,anomaly_score,alert');
    expect(log.some((l) => l.includes('a/b/x.csv: 100 rows'))).toBe(true);
    await writeFile(join(dir, 'bad.csv'), 'timestamp,value\n2024-01-01 00:00:00,1\nnot a time,2\n');
    await expect(runDetect({ input: join(dir, 'bad.csv'), output: join(dir, 'out2') })).rejects.toThrow(
      /bad\.csv:3: cannot read the timestamp/,
    );
  });
});
