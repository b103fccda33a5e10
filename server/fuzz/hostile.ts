import fc from "fast-check";
import { expect } from "vitest";

/**
 * Generators of hostile input for the boundary fuzz properties, and the settings every property runs with.
 *
 * Each property runs a fixed number of times. The seed is new on every run unless FUZZ_SEED is set; a failure
 * reports the seed and path, and `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run <file>` replays it. Failures
 * are not shrunk (a shrink repeats every call, which is slow against a database) unless FUZZ_SHRINK=1.
 */
export function fuzzSettings<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return { numRuns, seed, path: process.env.FUZZ_PATH, endOnFailure: process.env.FUZZ_SHRINK !== "1", reporter: report };
}

/**
 * fast-check's own report prints the whole counterexample, which overflows the stack on a value nested
 * thousands deep; this one describes it cut down, with how deep it goes.
 */
function report<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ""}`;
  const cause = details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  const values = details.counterexample as unknown[] | null;
  const shown = values ? values.map((value) => describeValue(value)).join(", ") : "(none)";
  throw new Error(`Property failed after ${details.numRuns} runs (replay with ${replay}).\nCounterexample: ${shown}\nError: ${cause.message.slice(0, 2000)}`, { cause });
}

/** How many arrays and objects deep a value goes, counted without recursion. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** A value as short JSON-like text: strings and levels cut. */
export function describeValue(value: unknown, level = 0): string {
  const depth = level === 0 ? nestingDepth(value) : 0;
  const suffix = depth > 6 ? ` (nested ${depth} levels)` : "";
  if (typeof value === "string") {
    // JSON.stringify escapes NUL and lone surrogates.
    const shown = JSON.stringify(value.slice(0, 60));
    return value.length > 60 ? `${shown}…(${value.length} chars)` : shown;
  }
  if (value === null || typeof value !== "object") return Object.is(value, -0) ? "-0" : String(value);
  if (level >= 6) return Array.isArray(value) ? "[…]" : "{…}";
  const entries = Object.entries(value).slice(0, 8);
  const more = Object.keys(value).length > 8 ? ", …" : "";
  const body = Array.isArray(value)
    ? entries.map(([, v]) => describeValue(v, level + 1)).join(", ")
    : entries.map(([k, v]) => `${describeValue(k, level + 1)}: ${describeValue(v, level + 1)}`).join(", ");
  return (Array.isArray(value) ? `[${body}${more}]` : `{${body}${more}}`) + suffix;
}

/** Strings of any UTF-16 code units: NUL, lone surrogates and control characters included. */
const codeUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 24 }).map((units) => String.fromCharCode(...units));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: codeUnits },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "\u0000",
      "a\u0000b",
      "\ud800",
      "x\udfffy",
      "\ud800\u0000\udc00",
      "__proto__",
      "constructor",
      "{{ $ }}",
      "{{ $json.body }}",
      "{{",
      "}}",
      "%00",
      "%E0%A4%A",
      "../../etc/passwd",
      "' OR 1=1 --",
      "\\u0000",
      "\r\n\r\n",
    ),
  },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 10_000, max: 120_000 }), fc.constantFrom("x", "\u0000", "é", "\ud800")).map(([n, c]) => c.repeat(n)) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 5e-324, -0, 1e21, 0.1 + 0.2),
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 2, arbitrary: fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "then", "", "\u0000", "\ud800", "a.b", "[0]") },
  { weight: 1, arbitrary: codeUnits },
);

/** An object with these entries as own properties: `__proto__` stays a key, as JSON.parse leaves it. */
export function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  return Object.fromEntries(entries) as Record<string, unknown>;
}

export const hostileObjectOf = <T>(value: fc.Arbitrary<T>) => fc.array(fc.tuple(hostileKey, value), { maxLength: 6 }).map(objectOf);

const leaf: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

/** A value nested a few thousand levels deep, in arrays or objects. */
export const deeplyNested: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 1000, max: 3000 }), fc.constantFrom("array", "object", "__proto__"), leaf)
  .map(([depth, kind, inner]) => {
    let value: unknown = inner;
    for (let i = 0; i < depth; i++) value = kind === "array" ? [value] : objectOf([[kind === "object" ? "a" : "__proto__", value]]);
    return value;
  });

/** Any JSON value, hostile in its strings, numbers, keys and depth. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthIdentifier: "json" },
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: deeplyNested },
    { weight: 2, arbitrary: fc.array(tie("value"), { maxLength: 5 }) },
    { weight: 2, arbitrary: hostileObjectOf(tie("value")) },
  ),
})).value;

/** A JSON object (what most inputs must be), hostile inside. */
export const hostileJsonObject: fc.Arbitrary<Record<string, unknown>> = hostileObjectOf(hostileJson);

/** The text of an error a person reads: words, not a stack trace, a Prisma query or "[object Object]". */
export function expectWords(message: string): void {
  expect(message.trim().length).toBeGreaterThan(0);
  expect(message).not.toMatch(/\n\s+at .+[:(]/);
  expect(message).not.toMatch(/\[object Object\]|Invalid `.*` invocation|prisma\.|PrismaClient/);
}
