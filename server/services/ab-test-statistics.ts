import { errorFunction, probit } from "simple-statistics";

export interface Proportion {
  exposures: number;
  conversions: number;
}

/** A variant against the control. Null where the numbers cannot say (no exposures, or nothing varies). */
export interface Comparison {
  /** Variant rate minus control rate. */
  difference: number | null;
  /** The difference relative to the control's rate; null while the control has no conversions. */
  lift: number | null;
  z: number | null;
  /** Two-sided. */
  pValue: number | null;
  /** Confidence interval of the difference, at the requested level. */
  interval: { low: number; high: number } | null;
  significant: boolean;
}

const normalCdf = (x: number) => 0.5 * (1 + errorFunction(x / Math.SQRT2));
const normalDensity = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/**
 * The standard normal quantile. simple-statistics' `errorFunction` is the Chebyshev fit of erfc with a relative
 * error under 1.2e-7, but its `probit` (Winitzki's closed form) is off by about 1e-3 (1.9572 for 1.95996 at 0.975),
 * so three Newton steps on the precise CDF finish it: each roughly squares the error, down to the CDF's own.
 */
export function normalQuantile(p: number): number {
  let x = probit(p);
  for (let step = 0; step < 3; step++) x -= (normalCdf(x) - p) / normalDensity(x);
  return x;
}

/** Two-sided p-value of a standard normal statistic: erfc(|z| / √2) = 2 (1 − Φ(|z|)). */
export function twoSidedPValue(z: number): number {
  return 1 - errorFunction(Math.abs(z) / Math.SQRT2);
}

/**
 * The two-proportion z-test, as R's `prop.test(c(xv, xc), c(nv, nc), correct = FALSE)` (whose X² is z²):
 *   p̂ = (xv + xc) / (nv + nc),  z = (pv − pc) / √(p̂ (1 − p̂) (1/nv + 1/nc)),  p = 2 (1 − Φ(|z|));
 * and the Wald interval of the difference, with unpooled variances:
 *   (pv − pc) ± z₁₋α/₂ · √(pc (1 − pc) / nc + pv (1 − pv) / nv).
 * `significant` when p < 1 − confidence.
 */
export function compareProportions({ control, variant, confidence }: { control: Proportion; variant: Proportion; confidence: number }): Comparison {
  const none: Comparison = { difference: null, lift: null, z: null, pValue: null, interval: null, significant: false };
  if (control.exposures === 0 || variant.exposures === 0) return none;
  const pc = control.conversions / control.exposures;
  const pv = variant.conversions / variant.exposures;
  const difference = pv - pc;
  const lift = pc === 0 ? null : difference / pc;
  const pooled = (control.conversions + variant.conversions) / (control.exposures + variant.exposures);
  const pooledError = Math.sqrt(pooled * (1 - pooled) * (1 / control.exposures + 1 / variant.exposures));
  // Nobody converted, or everybody did, on both sides: there is no variation to test.
  if (pooledError === 0) return { ...none, difference, lift };
  const z = difference / pooledError;
  const pValue = twoSidedPValue(z);
  const critical = normalQuantile(1 - (1 - confidence) / 2);
  const error = Math.sqrt((pc * (1 - pc)) / control.exposures + (pv * (1 - pv)) / variant.exposures);
  return {
    difference,
    lift,
    z,
    pValue,
    interval: { low: difference - critical * error, high: difference + critical * error },
    significant: pValue < 1 - confidence,
  };
}
