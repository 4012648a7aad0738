// ml-regression-theil-sen 3.0 ships no type declarations; this is the part Vigil uses.
declare module 'ml-regression-theil-sen' {
  /** Theil–Sen estimator: the median of the pairwise slopes, the median of the intercepts. */
  export class TheilSenRegression {
    constructor(x: ArrayLike<number>, y: ArrayLike<number>);
    slope: number;
    intercept: number;
    predict(x: number): number;
  }
}
