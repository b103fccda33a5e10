import { describe, expect, it } from "vitest";
import { compareProportions, normalQuantile, twoSidedPValue } from "./ab-test-statistics";

// Expected figures from scipy 1.17 with the formulas in compareProportions written out independently:
//   pooled = (xv + xc) / (nv + nc); z = (pv - pc) / sqrt(pooled * (1 - pooled) * (1/nv + 1/nc))
//   p = 2 * scipy.stats.norm.sf(abs(z))   (equal to chi2_contingency([[xv, nv-xv], [xc, nc-xc]], correction=False).pvalue,
//                                           which is R's prop.test(..., correct = FALSE))
//   interval = (pv - pc) ± norm.ppf(1 - (1 - confidence) / 2) * sqrt(pc (1 - pc) / nc + pv (1 - pv) / nv)
const cases = [
  {
    name: "10% against 13% of 1,000 each",
    control: { exposures: 1000, conversions: 100 },
    variant: { exposures: 1000, conversions: 130 },
    confidence: 0.95,
    expected: { difference: 0.03, lift: 0.3, z: 2.102740605622114, pValue: 0.03548845046647471, low: 0.0020679344393763656, high: 0.057932065560623636, significant: true },
  },
  {
    name: "a control without conversions",
    control: { exposures: 1000, conversions: 0 },
    variant: { exposures: 1000, conversions: 10 },
    confidence: 0.95,
    expected: { difference: 0.01, lift: null, z: 3.1702131247412066, pValue: 0.0015232716476467959, low: 0.0038331172927586954, high: 0.016166882707241304, significant: true },
  },
  {
    name: "unequal groups at 99%",
    control: { exposures: 5000, conversions: 250 },
    variant: { exposures: 4800, conversions: 250 },
    confidence: 0.99,
    expected: { difference: 0.002083333333333333, lift: 0.04166666666666666, z: 0.4685446085264576, pValue: 0.6393951782949939, low: -0.009374201554493708, high: 0.013540868221160374, significant: false },
  },
  {
    name: "a worse variant at 90%",
    control: { exposures: 200, conversions: 30 },
    variant: { exposures: 150, conversions: 12 },
    confidence: 0.9,
    expected: { difference: -0.07, lift: -0.4666666666666666, z: -1.994310088043664, pValue: 0.04611817746898452, low: -0.12524766004211074, high: -0.014752339957889236, significant: true },
  },
  {
    name: "identical rates",
    control: { exposures: 2000, conversions: 40 },
    variant: { exposures: 2000, conversions: 40 },
    confidence: 0.95,
    expected: { difference: 0, lift: 0, z: 0, pValue: 1, low: -0.008677130452263862, high: 0.008677130452263862, significant: false },
  },
];

describe("two-proportion z-test", () => {
  for (const { name, control, variant, confidence, expected } of cases) {
    it(`matches the reference figures: ${name}`, () => {
      const result = compareProportions({ control, variant, confidence });
      expect(result.difference).toBeCloseTo(expected.difference, 12);
      if (expected.lift === null) expect(result.lift).toBeNull();
      else expect(result.lift).toBeCloseTo(expected.lift, 12);
      expect(result.z).toBeCloseTo(expected.z, 10);
      // erfc is a Chebyshev fit with relative error under 1.2e-7.
      expect(Math.abs(result.pValue! - expected.pValue)).toBeLessThan(2e-7 * expected.pValue + 1e-12);
      expect(result.interval!.low).toBeCloseTo(expected.low, 7);
      expect(result.interval!.high).toBeCloseTo(expected.high, 7);
      expect(result.significant).toBe(expected.significant);
    });
  }

  it("says nothing it cannot: no exposures, or no conversions on either side", () => {
    const empty = { exposures: 0, conversions: 0 };
    expect(compareProportions({ control: empty, variant: { exposures: 10, conversions: 1 }, confidence: 0.95 })).toEqual({
      difference: null,
      lift: null,
      z: null,
      pValue: null,
      interval: null,
      significant: false,
    });
    expect(compareProportions({ control: { exposures: 500, conversions: 0 }, variant: { exposures: 400, conversions: 0 }, confidence: 0.95 })).toEqual({
      difference: 0,
      lift: null,
      z: null,
      pValue: null,
      interval: null,
      significant: false,
    });
  });

  it("finds normal quantiles to 1e-7 (scipy.stats.norm.ppf), where probit alone is off by 1e-3", () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 7);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489004, 7);
    expect(normalQuantile(0.9995)).toBeCloseTo(3.2905267314919255, 7);
    // 2 * norm.sf(1.959963984540054) = 0.05; 2 * norm.sf(5) = 5.733031437583878e-07
    expect(twoSidedPValue(1.959963984540054)).toBeCloseTo(0.05, 8);
    expect(twoSidedPValue(-5) / 5.733031437583878e-7).toBeCloseTo(1, 5);
  });
});
