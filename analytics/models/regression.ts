import { PolynomialRegression } from 'ml-regression-polynomial';
import { SimpleLinearRegression } from 'ml-regression-simple-linear';
import { TheilSenRegression } from 'ml-regression-theil-sen';

/** A regression model a forecast rule may choose. */
export type ModelName = 'theil-sen' | 'linear' | 'polynomial';

/** FittedModel predicts y at x (x in hours relative to the evaluation time, so 0 is now). */
export interface FittedModel {
  predict(x: number): number;
  /** The model's linear slope (per hour) for linear fits; the derivative at x = 0 for a polynomial. */
  slope: number;
}

/**
 * fitModel fits one of ml-regression's models: Theil–Sen (the median of pairwise slopes: a third of
 * the points may be outliers), ordinary least squares, or a polynomial of the given degree.
 */
export function fitModel(model: ModelName, x: number[], y: number[], degree = 2): FittedModel {
  if (model === 'theil-sen') {
    const r = new TheilSenRegression(x, y);
    return { predict: (v) => r.slope * v + r.intercept, slope: r.slope };
  }
  if (model === 'linear') {
    const r = new SimpleLinearRegression(x, y);
    return { predict: (v) => r.slope * v + r.intercept, slope: r.slope };
  }
  const r = new PolynomialRegression(x, y, degree);
  const c = r.coefficients;
  // Derivative at 0 is the coefficient of x¹ (powers are 0..degree).
  return { predict: (v) => r.predict(v), slope: c[1] ?? 0 };
}
