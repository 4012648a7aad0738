import { DAY_SECONDS, WEEK_SECONDS, seasonalValue } from './seasonal.js';
import { cleanScale, medianTail, quantileSorted, sortedTail } from './robust-window.js';

/** Which side of the band counts: a rise, a fall, or both. */
export type Direction = 'high' | 'low' | 'both';

/** Parameters of the streaming anomaly detector; one set serves every series. */
export interface AnomalyParams {
  /** Which deviations count (default both). */
  direction: Direction;
  /** Half-width of the alert band in robust standard deviations of the residuals: score 1.0 at its edge (default 4). */
  sensitivity: number;
  /** Smallest deviation that can score 1.0, in the series' unit (default 0): "+300 % of 0.3 % CPU" stays quiet. */
  minDeviation: number;
  /** Smallest deviation that can score 1.0, as a share of the series' usual range (5th–95th percentile; default 0.05). */
  minRelativeDeviation: number;
  /** Points of the recent level (median), default 12. */
  levelPoints: number;
  /** Block lengths, in points, whose mean deviation is scored too (catches shifts too small for one point); default [1, 6]. */
  scales: number[];
  /** Points kept for the level, seasonality and scale (default 4032: two weeks at 5 minutes). */
  historyPoints: number;
  /** Points before any score (default 12); while history is short the band widens. */
  minPoints: number;
  /** After an alert, no new alert until the score has stayed below 1.0 this long (seconds; default 4 h). */
  cooldownSeconds: number;
  /** The band is also at least tailFactor × this quantile of the past |deviations| (heavy-tailed series: a deviation must beat most of those already seen; default 0.995). */
  tailQuantile: number;
  /** See tailQuantile (default 1.5); 0 turns the tail band off. */
  tailFactor: number;
  /** …and at least rankFactor × the tailRank-th largest past |deviation|: an event seen that often (a nightly job) is normal (default 3; 0 off). */
  tailRank: number;
  /** See tailRank (default 1.15: a repeat of an event already seen, up to 15 % larger, is normal). */
  rankFactor: number;
  /** Points of the short mean of |residual| / σ whose rise (variance bursts, frequent spikes) is scored too, for direction both; 0 turns it off (default 12). */
  volatilityPoints: number;
  /** Robust standard deviations (IQR / 1.349) of that short mean above its median, over its history, that score 1.0 (default 5). */
  volatilityZ: number;
  /**
   * A run of identical values (a stuck or dead source: a disk that stops writing, a sensor that
   * freezes) scores 1.0 once it is longer than every earlier run and at least this many points, for
   * direction both; 0 turns it off (default 24).
   */
  flatPoints: number;
  /** Seasonal periods tried, in seconds (default a day and a week); the detector keeps the one that predicts best. */
  periods: number[];
}

/** Defaults: the parameter set `vigil detect` and the NAB bench use for every file. */
export const DEFAULT_ANOMALY_PARAMS: AnomalyParams = {
  direction: 'both',
  sensitivity: 4,
  minDeviation: 0,
  minRelativeDeviation: 0.05,
  levelPoints: 12,
  scales: [1, 6],
  historyPoints: 4032,
  minPoints: 12,
  cooldownSeconds: 14_400,
  periods: [DAY_SECONDS, WEEK_SECONDS],
  tailQuantile: 0.995,
  tailFactor: 1.5,
  tailRank: 3,
  rankFactor: 1.15,
  volatilityPoints: 12,
  volatilityZ: 5,
  flatPoints: 24,
};

/** What the detector says about one point. */
export interface AnomalyPoint {
  /** Expected value and the alert band (score 1.0 at its edges). */
  expected: number;
  lower: number;
  upper: number;
  /** 95 % prediction interval of the point. */
  lower95: number;
  upper95: number;
  /** |deviation| / band half-width, worst block scale; 0 while learning. */
  score: number;
  /** Which side the deviation is on. */
  direction: 'high' | 'low';
  /** Score ≥ 1 and outside the cooldown of a previous alert. */
  alert: boolean;
  /** Seasonal period in use (seconds), 0 for none. */
  period: number;
}

const Z95 = 1.959964;
/** Points between recomputations of the scales and the model choice. */
const REFRESH = 24;
/** Largest |residual|/σ one point adds to the volatility mean: a lone spike weighs at most 2.5 σ in 12 points. */
const VOL_CAP = 30;
/** Residuals the model choice compares (four days at 5 minutes). */
const SELECT_WINDOW = 1152;

/**
 * AnomalyDetector learns one series as it streams: level (median of the recent deseasonalised
 * points), daily or weekly seasonality (median of the same phase in earlier cycles, kept only when it
 * predicts better than none), and the scale of its residuals (seed 002's IQR-cleaned deviation). Each
 * point gets an expected value, a band and a score; its decision uses the points before it only.
 */
export class AnomalyDetector {
  private readonly p: AnomalyParams;
  private readonly models: number[];
  private times: Float64Array;
  private values: Float64Array;
  /** Per model: seasonal value, level and residual of each point. */
  private seas: Float64Array[];
  private level: Float64Array[];
  private resid: Float64Array[];
  /** Per model and scale: the block statistic of each point. */
  private blocks: Float64Array[][];
  private n = 0;
  private model = 0;
  private sigma: number[] = [];
  private tail: number[] = [];
  /** |residual|/σ per point, its short mean per point, and the mean and deviation of that mean. */
  private absz: Float64Array;
  private vol: Float64Array;
  private volMean = NaN;
  private volSd = NaN;
  private volCount = 0;
  private floor = 0;
  private sinceRefresh = REFRESH;
  private lastAnomalous = -Infinity;
  /** Length of the current run of identical values, and of the longest run before it. */
  private run = 0;
  private longestRun = 0;
  private step = NaN;

  constructor(params: Partial<AnomalyParams> = {}) {
    this.p = { ...DEFAULT_ANOMALY_PARAMS, ...params };
    this.models = [0, ...this.p.periods];
    const cap = this.p.historyPoints * 2;
    this.times = new Float64Array(cap);
    this.values = new Float64Array(cap);
    this.seas = this.models.map(() => new Float64Array(cap));
    this.level = this.models.map(() => new Float64Array(cap));
    this.resid = this.models.map(() => new Float64Array(cap));
    this.blocks = this.models.map(() => this.p.scales.map(() => new Float64Array(cap)));
    this.absz = new Float64Array(cap);
    this.vol = new Float64Array(cap);
  }

  /** Points seen and kept. */
  get size(): number {
    return this.n;
  }

  /** update scores the point (t in unix seconds, v) against the points before it, then learns it. */
  update(t: number, v: number): AnomalyPoint {
    if (this.n === this.times.length) this.compact();
    if (this.n > 0 && t <= this.times[this.n - 1]!) t = this.times[this.n - 1]! + 1e-3;
    const i = this.n;
    if (i >= 8 && (i < 64 || i % 64 === 0)) this.step = this.medianStep();
    const tol = Number.isFinite(this.step) ? this.step * 0.75 : 0;
    // Expected value of every model from points 0..i-1.
    const expectedByModel: number[] = [];
    for (let m = 0; m < this.models.length; m++) {
      const period = this.models[m]!;
      const s =
        period === 0
          ? 0
          : seasonalValue(this.times, this.values, i, t, period, period === DAY_SECONDS ? 4 : 2, tol, period === DAY_SECONDS ? 1 : 2);
      this.seas[m]![i] = s;
      const lvl = i > 0 ? this.levelOf(m, i) : NaN;
      this.level[m]![i] = lvl;
      expectedByModel.push(s + lvl);
    }
    // Refresh every 24 points, or every 1/64 of the history once it is long: statistics of thousands of points move slowly.
    if (++this.sinceRefresh >= Math.max(REFRESH, i >> 6)) this.refresh(i);
    const m = this.model;
    const expected = Number.isFinite(expectedByModel[m]!) ? expectedByModel[m]! : expectedByModel[0]!;
    this.times[i] = t;
    this.values[i] = v;
    for (let mm = 0; mm < this.models.length; mm++) this.resid[mm]![i] = v - expectedByModel[mm]!;
    // Block statistics: the mean of the last `len` points against the level known before the block.
    let score = 0;
    let dir: 'high' | 'low' = 'high';
    const warm = i >= this.p.minPoints && Number.isFinite(expected);
    const widen = 1 + 8 / Math.max(1, i);
    for (let mm = 0; mm < this.models.length; mm++) {
      for (let b = 0; b < this.p.scales.length; b++) this.blocks[mm]![b]![i] = this.blockStat(mm, i, this.p.scales[b]!);
    }
    for (let b = 0; b < this.p.scales.length; b++) {
      const stat = this.blocks[m]![b]![i]!;
      const sigma = this.sigma[b];
      if (!warm || !Number.isFinite(stat) || sigma === undefined || !Number.isFinite(sigma)) continue;
      const half = Math.max(this.p.sensitivity * sigma * widen, this.p.tailFactor * (this.tail[b] ?? 0), this.floor, this.p.minDeviation);
      if (!(half > 0)) continue;
      const signed = stat / half;
      const s = this.p.direction === 'high' ? Math.max(0, signed) : this.p.direction === 'low' ? Math.max(0, -signed) : Math.abs(signed);
      if (s > score) {
        score = s;
        dir = signed >= 0 ? 'high' : 'low';
      }
    }
    // Volatility: the short mean of |residual|/σ against its own history.
    const w = this.p.volatilityPoints;
    const s1 = this.sigma[0];
    this.absz[i] =
      s1 !== undefined && s1 > 0 && Number.isFinite(this.blocks[m]![0]![i]!)
        ? Math.min(VOL_CAP, Math.abs(this.blocks[m]![0]![i]!) / s1)
        : NaN;
    this.vol[i] = NaN;
    if (w > 0 && i >= w) {
      let sum = 0;
      let k = 0;
      for (let j = i - w + 1; j <= i; j++)
        if (Number.isFinite(this.absz[j]!)) {
          sum += this.absz[j]!;
          k++;
        }
      if (k === w) this.vol[i] = sum / w;
      // A burst has no side: it speaks for detectors watching both, once its own history is long
      // enough (ten windows), and for points past the deviation floors.
      const d0 = this.blocks[m]![0]![i]!;
      if (
        warm &&
        this.p.direction === 'both' &&
        this.volCount >= 10 * w &&
        Math.abs(d0) >= Math.max(this.floor, this.p.minDeviation) &&
        Number.isFinite(this.vol[i]!) &&
        this.volSd > 0
      ) {
        const vs = (this.vol[i]! - this.volMean) / (this.p.volatilityZ * this.volSd);
        if (vs > score) {
          score = vs;
          dir = d0 >= 0 ? 'high' : 'low';
        }
      }
    }
    // Flatline: the current run of identical values against the longest run seen before it.
    if (i > 0 && v === this.values[i - 1]) this.run++;
    else {
      this.longestRun = Math.max(this.longestRun, this.run);
      this.run = 1;
    }
    if (this.p.flatPoints > 0 && this.p.direction === 'both' && warm && this.longestRun > 0) {
      const fs = this.run / Math.max(this.p.flatPoints, this.longestRun + 1);
      if (fs > score) {
        score = fs;
        dir = v >= expected ? 'high' : 'low';
      }
    }
    this.n++;
    const sigma1 = this.sigma[0] ?? NaN;
    const half1 = Math.max(this.p.sensitivity * sigma1 * widen, this.p.tailFactor * (this.tail[0] ?? 0), this.floor, this.p.minDeviation);
    const half95 = Z95 * sigma1 * widen;
    let alert = false;
    if (score >= 1) {
      alert = t - this.lastAnomalous >= this.p.cooldownSeconds;
      this.lastAnomalous = t;
    }
    return {
      expected,
      lower: expected - half1,
      upper: expected + half1,
      lower95: expected - half95,
      upper95: expected + half95,
      score: warm ? score : 0,
      direction: dir,
      alert,
      period: this.models[m]!,
    };
  }

  /** Seasonal period in use (seconds): 0 while no seasonal model predicts better than none. */
  get period(): number {
    return this.models[this.model]!;
  }

  /** Time of the latest point (unix seconds), NaN before the first. */
  get lastTime(): number {
    return this.n > 0 ? this.times[this.n - 1]! : NaN;
  }

  /** Seconds between the first and the last point kept. */
  get span(): number {
    return this.n > 1 ? this.times[this.n - 1]! - this.times[0]! : 0;
  }

  /** Median spacing of the recent points (seconds), NaN before the ninth. */
  get stepSeconds(): number {
    return this.step;
  }

  /** The points kept, oldest first (views into the detector's buffers: read them before the next update). */
  history(): { times: Float64Array; values: Float64Array } {
    return { times: this.times.subarray(0, this.n), values: this.values.subarray(0, this.n) };
  }

  /**
   * seasonalAt is the seasonal part of the model in use at time t (unix seconds): the median value at
   * the same phase of earlier days or weeks (up to 4 days or 2 weeks back, or exactly `cycles` of them
   * when given); 0 when no seasonal model is in use, NaN where the history has no point at that phase.
   */
  seasonalAt(t: number, cycles?: number): number {
    const period = this.period;
    if (period === 0) return 0;
    const tol = Number.isFinite(this.step) ? this.step * 0.75 : 0;
    return seasonalValue(this.times, this.values, this.n, t, period, cycles ?? (period === DAY_SECONDS ? 4 : 2), tol, cycles ?? 1);
  }

  /**
   * forecast predicts the value at a future time t (unix seconds) from what has been seen: the
   * seasonal value at t plus today's level, with a 95 % interval from the past errors of forecasts
   * made that far ahead (their 2.5 % and 97.5 % quantiles). NaN fields while history is too short.
   */
  forecast(t: number): { value: number; lower: number; upper: number } {
    const n = this.n;
    const s = this.seasonalAt(t);
    const value = (Number.isFinite(s) ? s : 0) + (n > 0 ? this.levelOf(this.model, n) : NaN);
    const e = this.errorQuantiles(n > 0 ? t - this.times[n - 1]! : 0);
    return { value, lower: value + e.lower, upper: value + e.upper };
  }

  /**
   * errorQuantiles are the 2.5 % and 97.5 % quantiles of the errors that forecasts made `ahead`
   * seconds earlier would have had (level known then, seasonal value at the time): honest for the
   * heavy tails real series have. NaN while history is too short.
   */
  errorQuantiles(ahead: number): { lower: number; upper: number } {
    const n = this.n;
    const m = this.model;
    const h = Number.isFinite(this.step) && n > 0 ? Math.max(1, Math.round(ahead / this.step)) : 1;
    const from = Math.max(h, n - this.p.historyPoints);
    const errs = scratchErr.length >= n - from ? scratchErr : (scratchErr = new Float64Array(n - from));
    const seas = this.seas[m]!;
    const level = this.level[m]!;
    for (let j = from; j < n; j++) errs[j - from] = this.values[j]! - seas[j]! - level[j - h + 1]!;
    const sorted = sortedTail(errs, 0, Math.max(0, n - from));
    return { lower: quantileSorted(sorted, 0.025), upper: quantileSorted(sorted, 0.975) };
  }

  /** levelOf is the median deseasonalised value of the last levelPoints points before i (NaN when none has a seasonal value). */
  private levelOf(m: number, i: number): number {
    const from = Math.max(0, i - this.p.levelPoints);
    const tmp = scratchLevel.length >= i - from ? scratchLevel : (scratchLevel = new Float64Array(i - from));
    const seas = this.seas[m]!;
    for (let j = from; j < i; j++) tmp[j - from] = this.values[j]! - seas[j]!;
    return medianTail(tmp, 0, i - from);
  }

  /** blockStat is the mean deseasonalised deviation of points i-len+1..i from the level known before the block. */
  private blockStat(m: number, i: number, len: number): number {
    const start = i - len + 1;
    if (start < 1) return NaN;
    const base = this.level[m]![start]!;
    const seas = this.seas[m]!;
    let sum = 0;
    for (let j = start; j <= i; j++) sum += this.values[j]! - seas[j]!;
    return sum / len - base;
  }

  /** refresh recomputes the model choice, the block scales and the deviation floor from the points before i. */
  private refresh(i: number): void {
    this.sinceRefresh = 0;
    const from = Math.max(0, i - SELECT_WINDOW);
    // The model whose recent mean absolute residual is smallest; a seasonal model must beat none by 15 %.
    // Each seasonal model against none, on the points both predicted: the mean absolute residual must
    // drop by 15 %. Four days of residuals, so one odd day does not flip the choice; a day in common
    // is enough to start (a seasonal model has no residuals before its first cycle).
    let best = 0;
    let bestRatio = 0.85;
    const r0 = this.resid[0]!;
    for (let m = 1; m < this.models.length; m++) {
      const r = this.resid[m]!;
      let s0 = 0;
      let sm = 0;
      let k = 0;
      for (let j = from; j < i; j++) {
        if (!Number.isFinite(r[j]!) || !Number.isFinite(r0[j]!)) continue;
        s0 += Math.abs(r0[j]!);
        sm += Math.abs(r[j]!);
        k++;
      }
      if (k < Math.min(SELECT_WINDOW / 4, i - from) || k < 24 || !(s0 > 0)) continue;
      if (sm / s0 < bestRatio) {
        bestRatio = sm / s0;
        best = m;
      }
    }
    this.model = best;
    const hfrom = Math.max(0, i - this.p.historyPoints);
    for (let b = 0; b < this.p.scales.length; b++) {
      const from2 = Math.max(hfrom, this.p.scales[b]!);
      const blk = this.blocks[best]![b]!;
      this.sigma[b] = cleanScale(blk, from2, i);
      if (this.p.tailFactor > 0) {
        const abs = scratchAbs.length >= i - from2 ? scratchAbs : (scratchAbs = new Float64Array(i - from2));
        for (let j = from2; j < i; j++) abs[j - from2] = Math.abs(blk[j]!);
        const sorted = sortedTail(abs, 0, Math.max(0, i - from2));
        const rank = this.p.tailRank > 0 && sorted.length >= this.p.tailRank ? sorted[sorted.length - this.p.tailRank]! : 0;
        this.tail[b] = Math.max(quantileSorted(sorted, this.p.tailQuantile), (rank * this.p.rankFactor) / this.p.tailFactor);
      }
    }
    if (this.p.volatilityPoints > 0) {
      // Robust centre and spread of the short means: a past burst does not widen the yardstick.
      const v = sortedTail(this.vol, hfrom, i);
      this.volMean = quantileSorted(v, 0.5);
      this.volSd = (quantileSorted(v, 0.75) - quantileSorted(v, 0.25)) / 1.349;
      this.volCount = v.length;
    }
    const s = sortedTail(this.values, hfrom, i);
    this.floor = this.p.minRelativeDeviation * (quantileSorted(s, 0.95) - quantileSorted(s, 0.05));
  }

  private medianStep(): number {
    const from = Math.max(1, this.n - 64);
    const d = scratchAbs.length >= this.n - from ? scratchAbs : (scratchAbs = new Float64Array(this.n - from));
    for (let j = from; j < this.n; j++) d[j - from] = this.times[j]! - this.times[j - 1]!;
    return medianTail(d, 0, this.n - from);
  }

  /** compact drops the oldest half of the history so that memory stays bounded. */
  private compact(): void {
    const keep = this.p.historyPoints;
    const drop = this.n - keep;
    const shift = (a: Float64Array) => a.copyWithin(0, drop, this.n);
    shift(this.times);
    shift(this.values);
    for (const a of [...this.seas, ...this.level, ...this.resid, ...this.blocks.flat(), this.absz, this.vol]) shift(a);
    this.n = keep;
  }
}

let scratchLevel = new Float64Array(64);
let scratchAbs = new Float64Array(1024);
let scratchErr = new Float64Array(1024);
