/**
 * Dev tool: runs the detector in-process over the NAB folder and prints the three scores, the
 * counts and (with -v) each file's detections. Parameters override the defaults from the JSON in
 * NAB_PARAMS. Run `npm run build && node dist/bench/nab/quick.js [-v]`. Not part of the bench:
 * `npm run bench detect` measures through the CLI.
 */
import { AnomalyDetector, type AnomalyParams } from '../../analytics/models/anomaly-detector.js';
import { loadNab } from './data.js';
import { NAB_PROFILES, normalise, scoreFile, windowsToRows, type FileScore } from './score.js';

const dir = process.env.NAB_DIR ?? '/work/shared/nab';
const params = JSON.parse(process.env.NAB_PARAMS ?? '{}') as Partial<AnomalyParams>;
const verbose = process.argv.includes('-v');
const files = await loadNab(dir);
const scores = { standard: [] as FileScore[], reward_low_FP_rate: [] as FileScore[], reward_low_FN_rate: [] as FileScore[] };
let ms = 0;
let rowsAll = 0;
for (const f of files) {
  const d = new AnomalyDetector(params);
  const alerts: number[] = [];
  const periods: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < f.values.length; i++) {
    const p = d.update(f.times[i]! / 1000, f.values[i]!);
    alerts.push(p.alert ? 1 : 0);
    periods.push(p.period / 3600);
  }
  ms += performance.now() - t0;
  rowsAll += f.values.length;
  const rows = windowsToRows(f.times, f.windows);
  for (const k of Object.keys(scores) as Array<keyof typeof scores>) scores[k].push(scoreFile(alerts, rows, NAB_PROFILES[k]));
  if (verbose) {
    const s = scores.standard[scores.standard.length - 1]!;
    const at = alerts.flatMap((a, i) => (a ? [`${i}${process.env.NAB_PERIODS ? `@${periods[i]}h` : ''}`] : []));
    const fpCost = scoreFile(alerts, rows, { tp: 0, fp: 0.11, fn: 0 }).raw;
    console.log(
      `${f.name.padEnd(60)} tp ${s.tp} fn ${s.fn} fp ${s.fp} fpcost ${fpCost.toFixed(1)} raw ${s.raw.toFixed(1)} win ${rows.map((w) => `${w.left}-${w.right}`).join(' ')} alerts ${at.join(' ')}`,
    );
  }
}
const c = scores.standard.reduce((a, s) => ({ tp: a.tp + s.tp, fp: a.fp + s.fp, fn: a.fn + s.fn }), { tp: 0, fp: 0, fn: 0 });
console.log(
  `std ${normalise(scores.standard, NAB_PROFILES.standard).toFixed(1)} lowFP ${normalise(scores.reward_low_FP_rate, NAB_PROFILES.reward_low_FP_rate).toFixed(1)} lowFN ${normalise(scores.reward_low_FN_rate, NAB_PROFILES.reward_low_FN_rate).toFixed(1)} tp ${c.tp} fn ${c.fn} fp ${c.fp} ${((ms / rowsAll) * 1000).toFixed(0)} ms/1k`,
);
