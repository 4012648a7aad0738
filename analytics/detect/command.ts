import { VigilError } from '../../common/errors.js';
import type { AnomalyParams } from '../models/anomaly-detector.js';
import { runDetect } from './run-detect.js';

/** detectCommand is `vigil detect`: checks the flags, runs the detector, prints a summary; returns the exit code. */
export async function detectCommand(o: Record<string, string | undefined>): Promise<number> {
  const params: Partial<AnomalyParams> = {};
  try {
    if (o.direction !== undefined) {
      if (!['high', 'low', 'both'].includes(o.direction))
        throw new VigilError('DETECT_FLAG', `--direction: expected high, low or both, got "${o.direction}"`, 400);
      params.direction = o.direction as AnomalyParams['direction'];
    }
    const num = (flag: string, v: string | undefined, min: number): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) throw new VigilError('DETECT_FLAG', `${flag}: expected a number ≥ ${min}, got "${v}"`, 400);
      return n;
    };
    const sens = num('--sensitivity', o.sensitivity, 0.1);
    if (sens !== undefined) params.sensitivity = sens;
    const minDev = num('--min-deviation', o.minDeviation, 0);
    if (minDev !== undefined) params.minDeviation = minDev;
    const started = performance.now();
    const s = await runDetect({ input: o.input!, output: o.output!, params, log: (l) => process.stderr.write(l + '\n') });
    const secs = (performance.now() - started) / 1000;
    process.stdout.write(
      `${s.files.length} file(s), ${s.rows} rows, ${s.alerts} alerts in ${secs.toFixed(1)} s ` +
        `(detector ${(s.rows ? (s.detectorMs / s.rows) * 1000 : 0).toFixed(1)} ms per 1,000 rows); output in ${o.output}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`vigil detect: ${(err as Error).message}\n`);
    return err instanceof VigilError ? 2 : 1;
  }
}
