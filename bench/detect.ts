import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AnomalyDetector } from '../analytics/models/anomaly-detector.js';
import { forecastQualityRows } from './forecast-quality.js';
import type { Benchmark, BenchRow } from './harness.js';
import { loadNab, type NabFile } from './nab/data.js';
import { NAB_PROFILES, normalise, scoreFile, windowsToRows, type FileScore } from './nab/score.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: this file runs as dist/bench/detect.js. */
const root = resolve(here, '..', '..');

/** Published scores on exactly this set (standard / low FP / low FN), from ../shared/nab/README.md. */
const PUBLISHED: Array<[string, number, number, number]> = [
  ['contextOSE', 77.0, 73.0, 80.1],
  ['Numenta HTM', 75.1, 68.4, 78.8],
  ['ARTime', 74.3, 65.3, 79.6],
  ['earthgecko Skyline', 54.3, 39.2, 59.5],
  ['rolling z-score', 37.4, -2.5, 52.2],
  ['random', 13.6, 4.5, 23.7],
];

/** nabDir is NAB_DIR, else ../shared/nab next to the repository (or next to the folder of worktrees it sits in). */
function nabDir(): string {
  if (process.env.NAB_DIR) return process.env.NAB_DIR;
  const near = resolve(root, '..', 'shared', 'nab');
  const far = resolve(root, '..', '..', 'shared', 'nab');
  return existsSync(near) || !existsSync(far) ? near : far;
}

async function scoreOutputs(files: NabFile[], out: string): Promise<Record<keyof typeof NAB_PROFILES, FileScore[]>> {
  const scores = { standard: [] as FileScore[], reward_low_FP_rate: [] as FileScore[], reward_low_FN_rate: [] as FileScore[] };
  for (const f of files) {
    const lines = (await readFile(join(out, f.name), 'utf8')).trimEnd().split('\n').slice(1);
    if (lines.length !== f.values.length) throw new Error(`${f.name}: ${lines.length} output rows for ${f.values.length} input rows`);
    const alerts = lines.map((l) => (l.endsWith(',1') ? 1 : 0));
    const rows = windowsToRows(f.times, f.windows);
    for (const k of Object.keys(scores) as Array<keyof typeof scores>) scores[k].push(scoreFile(alerts, rows, NAB_PROFILES[k]));
  }
  return scores;
}

/** Detector cost in the live engine: a refit on a week of 5-minute history, then one evaluation's update. */
function detectorCost(files: NabFile[]): { refitMs: number; updateUs: number } {
  const week = 2016;
  let refit = 0;
  let update = 0;
  let refits = 0;
  let updates = 0;
  for (const f of files.filter((x) => x.values.length > week + 200)) {
    const t0 = performance.now();
    const d = new AnomalyDetector();
    for (let i = 0; i < week; i++) d.update(f.times[i]! / 1000, f.values[i]!);
    refit += performance.now() - t0;
    refits++;
    const t1 = performance.now();
    for (let i = week; i < week + 200; i++) d.update(f.times[i]! / 1000, f.values[i]!);
    update += performance.now() - t1;
    updates += 200;
  }
  return { refitMs: refit / refits, updateUs: (update / updates) * 1000 };
}

/**
 * The detect benchmark: `vigil detect` (the built CLI, as a user runs it) over the NAB folder,
 * scored with NAB's rules beside the published detectors; the 1-hour-ahead forecast error of each
 * model against an OLS line over the trailing hour (predict_linear) and the coverage of their 95 %
 * intervals; and the detector's cost.
 */
export const benchmark: Benchmark = {
  name: 'detect',
  description: 'NAB score of vigil detect vs published detectors; forecast MAE vs predict_linear and 95 % coverage; detector cost',
  async run() {
    const dir = nabDir();
    const files = await loadNab(dir);
    if (files.length === 0) throw new Error(`no labelled NAB files under ${dir} (set NAB_DIR)`);
    const out = await mkdtemp(join(tmpdir(), 'vigil-bench-detect-'));
    try {
      const t0 = performance.now();
      const { stdout } = await run(process.execPath, [join(root, 'dist', 'cli.js'), 'detect', '--input', dir, '--output', out], {
        maxBuffer: 64 << 20,
      });
      const wallMs = performance.now() - t0;
      const perK = Number(/detector ([\d.]+) ms per 1,000 rows/.exec(stdout)?.[1] ?? NaN);
      const scores = await scoreOutputs(files, out);
      const std = normalise(scores.standard, NAB_PROFILES.standard);
      const lowFp = normalise(scores.reward_low_FP_rate, NAB_PROFILES.reward_low_FP_rate);
      const lowFn = normalise(scores.reward_low_FN_rate, NAB_PROFILES.reward_low_FN_rate);
      process.stdout.write(
        `${'detector'.padEnd(20)} ${'std'.padStart(6)} ${'low FP'.padStart(6)} ${'low FN'.padStart(6)}\n${publishedTable({ standard: std, lowFp, lowFn })}\n`,
      );
      const counts = scores.standard.reduce((a, s) => ({ tp: a.tp + s.tp, fp: a.fp + s.fp, fn: a.fn + s.fn }), { tp: 0, fp: 0, fn: 0 });
      const best = PUBLISHED[0]!;
      const rows: BenchRow[] = [
        { measure: 'NAB standard', unit: 'score', vigil: std, anchor: best[1], target: '≥ 77', met: std >= 77 },
        { measure: 'NAB reward low FP', unit: 'score', vigil: lowFp, anchor: best[2], target: '≥ 65', met: lowFp >= 65 },
        { measure: 'NAB reward low FN', unit: 'score', vigil: lowFn, anchor: best[3] },
      ];
      const fq = forecastQualityRows(files);
      rows.push(...fq.rows);
      const cost = detectorCost(files);
      rows.push({ measure: 'vigil detect, detector time', unit: 'ms/1,000 rows', vigil: perK });
      rows.push({ measure: 'live: refit on a week (2016 points)', unit: 'ms/series', vigil: cost.refitMs });
      rows.push({ measure: 'live: one evaluation (update)', unit: 'µs/series', vigil: cost.updateUs });
      return {
        name: 'detect',
        anchorName: 'contextOSE',
        rows,
        details: {
          nabDir: dir,
          files: files.length,
          windows: counts.tp + counts.fn,
          detections: counts,
          published: Object.fromEntries(
            PUBLISHED.map(([n, a, b, c]) => [n, { standard: a, reward_low_FP_rate: b, reward_low_FN_rate: c }]),
          ),
          vigil: { standard: std, reward_low_FP_rate: lowFp, reward_low_FN_rate: lowFn },
          detectWallSeconds: wallMs / 1000,
          forecastPoints: fq.points,
          ruleSeasonalShare: fq.seasonalShare,
          perFile: files.map((f, i) => ({ file: f.name, ...scores.standard[i]! })),
        },
      };
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
};

/** publishedTable renders the published detectors beside Vigil's scores. */
function publishedTable(v: { standard: number; lowFp: number; lowFn: number }): string {
  const rows = [['Vigil (this run)', v.standard, v.lowFp, v.lowFn] as const, ...PUBLISHED];
  return rows
    .map(([n, a, b, c]) => `${n.padEnd(20)} ${a.toFixed(1).padStart(6)} ${b.toFixed(1).padStart(6)} ${c.toFixed(1).padStart(6)}`)
    .join('\n');
}
