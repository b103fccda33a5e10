import { describe, expect, it } from "vitest";
import { hashPoint, variantAt } from "./assignment";

const weights = [
  { name: "a", weight: 50 },
  { name: "b", weight: 30 },
  { name: "c", weight: 20 },
];
const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function split(experiment: string): Record<string, number> {
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (const key of keys) counts[variantAt({ variants: weights, point: hashPoint({ experiment, key }) })]!++;
  return counts;
}

describe("sticky assignment by hash", () => {
  it("maps experiment and key to the same point as SHA-256 computed elsewhere", () => {
    // Python: int.from_bytes(hashlib.sha256(f"{experiment}\0{key}".encode()).digest()[:7], "big") >> 3) / 2**53
    expect(hashPoint({ experiment: "checkout-button", key: "user-1" })).toBe(0.23802959358513642);
    expect(hashPoint({ experiment: "checkout-button", key: "user-2" })).toBe(0.4469833378258151);
    expect(hashPoint({ experiment: "checkout-button", key: "42" })).toBe(0.8060698389597294);
    expect(hashPoint({ experiment: "pricing", key: "user-1" })).toBe(0.8663811769622516);
  });

  it("splits 10,000 keys by the weights within a chi-square bound (df 2, alpha 0.001)", () => {
    for (const experiment of ["checkout-button", "pricing"]) {
      const counts = split(experiment);
      const expected = { a: 5000, b: 3000, c: 2000 };
      const chiSquare = Object.entries(expected).reduce((sum, [name, e]) => sum + (counts[name]! - e) ** 2 / e, 0);
      // The chi-square distribution's 0.999 quantile with 2 degrees of freedom (scipy.stats.chi2.isf(0.001, 2)).
      expect(chiSquare).toBeLessThan(13.815510557964274);
      // And each share within 4 standard deviations of its binomial expectation.
      for (const [name, e] of Object.entries(expected)) {
        const sd = Math.sqrt(e * (1 - e / keys.length));
        expect(Math.abs(counts[name]! - e)).toBeLessThan(4 * sd);
      }
    }
    // The keys are fixed, so the split is too: the figures a second implementation (Python's hashlib) gives.
    expect(split("checkout-button")).toEqual({ a: 5046, b: 2913, c: 2041 });
  });

  it("splits the same keys independently in different experiments", () => {
    let same = 0;
    for (const key of keys) {
      const first = variantAt({ variants: weights, point: hashPoint({ experiment: "checkout-button", key }) });
      const second = variantAt({ variants: weights, point: hashPoint({ experiment: "pricing", key }) });
      if (first === second) same++;
    }
    // Independent: P(same) = 0.5² + 0.3² + 0.2² = 0.38, so about 3,800 ± 4 sd (sd ≈ 48.5).
    expect(Math.abs(same - 3800)).toBeLessThan(4 * Math.sqrt(10_000 * 0.38 * 0.62));
  });

  it("gives each variant the range of its weight, in order, and the top of the range to the last", () => {
    const variants = [
      { name: "x", weight: 1 },
      { name: "y", weight: 3 },
    ];
    expect(variantAt({ variants, point: 0 })).toBe("x");
    expect(variantAt({ variants, point: 0.2499 })).toBe("x");
    expect(variantAt({ variants, point: 0.25 })).toBe("y");
    expect(variantAt({ variants, point: 0.9999999999999999 })).toBe("y");
  });
});
