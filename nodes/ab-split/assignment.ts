import { createHash } from "node:crypto";
import type { ExperimentVariant } from "../_kit/context";

/**
 * A point in [0, 1) from SHA-256 of the experiment and the key (53 bits of the digest): the same pair lands on
 * the same point in every process and after every restart, and different experiments split the same keys
 * independently. The NUL between them keeps ("ab", "c") apart from ("a", "bc").
 */
export function hashPoint({ experiment, key }: { experiment: string; key: string }): number {
  const digest = createHash("sha256").update(experiment).update("\u0000").update(key).digest();
  return (digest.readUInt32BE(0) * 2 ** 21 + (digest.readUInt32BE(4) >>> 11)) / 2 ** 53;
}

/** The variant whose share of the weights holds `point`: variants take consecutive ranges in their order. */
export function variantAt({ variants, point }: { variants: readonly ExperimentVariant[]; point: number }): string {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let left = point * total;
  for (const variant of variants) {
    if (left < variant.weight) return variant.name;
    left -= variant.weight;
  }
  // Rounding can leave the very top of the range unclaimed; it belongs to the last variant with weight.
  return variants.findLast((v) => v.weight > 0)!.name;
}
