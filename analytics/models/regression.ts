import { PolynomialRegression } from 'ml-regression-polynomial';
import { SimpleLinearRegression } from 'ml-regression-simple-linear';
import { theilSen } from './theil-sen.js';

/** A regression model a forecast rule may choose. */
export type ModelName = 'theil-sen' | 'linear' | 'polynomial';

/** FittedModel predicts y at x (x in hours relative to the evaluation time, so 0 is now). */
export interface FittedModel {
  predict(x: number): number;
  /** The model's linear slope (per hour) for linear fits; the derivative at x = 0 for a polynomial. */
  slope: number;
  /** The intercept (value at x = 0) of a straight-line model; undefined for a polynomial. */
  intercept?: number;
}

let scratch = new Float64Array(0);

/**
 * fitModel fits one of the models: Theil–Sen (the median of pairwise slopes: up to ~29 % of the
 * points may be outliers; computed by `theil-sen.ts`, which matches ml-regression-theil-sen), ordinary
 * least squares (ml-regression-simple-linear), or a polynomial of the given degree (ml-regression-polynomial).
 */
export function fitModel(model: ModelName, x: ArrayLike<number>, y: ArrayLike<number>, degree = 2): FittedModel {
  if (model === 'theil-sen') {
    const need = Math.max(x.length, (x.length * (x.length - 1)) / 2);
    if (scratch.length < need) scratch = new Float64Array(need);
    const { slope, intercept } = theilSen(x, y, scratch);
    return { predict: (v) => slope * v + intercept, slope, intercept };
  }
  if (model === 'linear') {
    const r = new SimpleLinearRegression(Array.from(x), Array.from(y));
    return { predict: (v) => r.slope * v + r.intercept, slope: r.slope, intercept: r.intercept };
  }
  const r = new PolynomialRegression(Array.from(x), Array.from(y), degree);
  const c = r.coefficients;
  // Derivative at 0 is the coefficient of x¹ (powers are 0..degree).
  return { predict: (v) => r.predict(v), slope: c[1] ?? 0 };
}
