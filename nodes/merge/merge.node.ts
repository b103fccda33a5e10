import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import type { Item } from "../_kit/items";

/** Input ports in order: a, b, c, … */
const PORTS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] as const;

const JOINS = {
  inner: "Matching pairs only",
  left: "All of a, with b's fields where they match",
  right: "All of b, with a's fields where they match",
  outer: "Everything: matching pairs and the unmatched of both",
  matchedA: "Only a's items that match something in b, as they are",
  matchedB: "Only b's items that match something in a, as they are",
  unmatched: "Only the items of either side that match nothing",
  unmatchedA: "Only a's items that match nothing in b",
  unmatchedB: "Only b's items that match nothing in a",
} as const;

const config = z
  .object({
    mode: z
      .enum(["append", "byPosition", "byKey", "everyPair", "choose"])
      .default("append")
      .meta({
        title: "Mode",
        ...ui({ optionLabels: { append: "Append", byPosition: "Pair by position", byKey: "Join on a key", everyPair: "Every pair (a × b)", choose: "Wait for all, pass one input on" } }),
      }),
    inputs: z.number().int().min(2).max(PORTS.length).optional().meta({ title: "Inputs", description: "How many inputs to wait for (2 when empty); for append, pair by position and pass one on." }),
    key: z
      .string()
      .min(1)
      .optional()
      .meta({ title: "Key field", description: "For \"byKey\": the field both sides share, such as \"id\"; several fields separated by commas must all match.", ...ui({ placeholder: "id" }) }),
    keyB: z.string().min(1).optional().meta({ title: "Key field in b", description: "When b names the key otherwise (as many as the key fields, in the same order)." }),
    join: z.enum(Object.keys(JOINS) as [keyof typeof JOINS, ...(keyof typeof JOINS)[]]).optional().meta({ title: "Keep", ...ui({ optionLabels: JOINS }) }),
    unpaired: z
      .enum(["keep", "drop"])
      .optional()
      .meta({ title: "Unpaired items", description: "For \"byPosition\": keep the longer side's extra items as they are (the default) or drop them.", ...ui({ optionLabels: { keep: "Keep", drop: "Drop" } }) }),
    use: z.number().int().min(1).max(PORTS.length).optional().meta({ title: "Input to pass on", description: "For \"choose\": 1 for a, 2 for b, …" }),
  })
  .refine((c) => c.mode !== "byKey" || c.key, { path: ["key"], message: "joining by key needs the key field, such as \"id\"" })
  .refine((c) => c.mode !== "byKey" || !c.keyB || fieldsOf(c.keyB).length === fieldsOf(c.key ?? "").length, { path: ["keyB"], message: "name as many key fields in b as in a" })
  .refine((c) => (c.mode !== "byKey" && c.mode !== "everyPair") || (c.inputs ?? 2) === 2, { path: ["inputs"], message: "joining on a key and every pair take exactly 2 inputs" })
  .refine((c) => c.mode !== "choose" || (c.use ?? 1) <= (c.inputs ?? 2), { path: ["use"], message: "choose one of the node's inputs" });

type MergeConfig = z.output<typeof config>;

function fieldsOf(text: string): string[] {
  return text.split(",").map((f) => f.trim()).filter(Boolean);
}

function combined(a: Item, b: Item): Item {
  const item: Item = { json: { ...a.json, ...b.json } };
  if (a.binary || b.binary) item.binary = { ...b.binary, ...a.binary };
  return item;
}

/** Items match when every key field holds the same value (and type); a missing value matches nothing. */
function joinByKey(a: Item[], b: Item[], c: MergeConfig): Item[] {
  const keysA = fieldsOf(c.key!);
  const keysB = c.keyB ? fieldsOf(c.keyB) : keysA;
  const keyOf = (item: Item, fields: string[]) => {
    const values = fields.map((f) => item.json[f]);
    return values.some((v) => v === undefined || v === null) ? undefined : JSON.stringify(values);
  };
  const byKey = new Map<string, number[]>();
  b.forEach((item, i) => {
    const k = keyOf(item, keysB);
    if (k !== undefined) byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  const join = c.join ?? "inner";
  const matchedB = new Set<number>();
  const out: Item[] = [];
  const unmatchedA: Item[] = [];
  for (const item of a) {
    const k = keyOf(item, keysA);
    const matches = k === undefined ? [] : byKey.get(k) ?? [];
    for (const i of matches) matchedB.add(i);
    if (matches.length === 0) unmatchedA.push(item);
    else if (join === "inner" || join === "left" || join === "right" || join === "outer") out.push(...matches.map((i) => (join === "right" ? combined(b[i]!, item) : combined(item, b[i]!))));
  }
  const unmatchedB = b.filter((_, i) => !matchedB.has(i));
  if (join === "inner") return out;
  if (join === "matchedA") return a.filter((item) => !unmatchedA.includes(item));
  if (join === "matchedB") return b.filter((_, i) => matchedB.has(i));
  if (join === "left") return [...out, ...unmatchedA];
  if (join === "right") return [...out, ...unmatchedB];
  if (join === "outer") return [...out, ...unmatchedA, ...unmatchedB];
  if (join === "unmatchedA") return unmatchedA;
  if (join === "unmatchedB") return unmatchedB;
  return [...unmatchedA, ...unmatchedB];
}

/** Waits for every input and combines their items. */
export const mergeNode = defineNode({
  type: "core.merge",
  version: 1,
  name: "Merge",
  description: "Waits for its inputs, then appends their items, pairs them by position, joins them on a key, makes every pair, or passes one input on.",
  category: "flow",
  icon: "merge",
  pure: true,
  config,
  inputs: (c) => PORTS.slice(0, c.inputs ?? 2),
  async execute({ config: c, inputs }) {
    const sides = PORTS.slice(0, c.inputs ?? 2).map((port) => inputs[port] ?? []);
    const [a, b] = [sides[0]!, sides[1]!];
    if (c.mode === "append") return sides.flat();
    if (c.mode === "choose") return sides[(c.use ?? 1) - 1]!;
    if (c.mode === "everyPair") return a.flatMap((left) => b.map((right) => combined(left, right)));
    if (c.mode === "byKey") return joinByKey(a, b, c);
    const out: Item[] = [];
    const length = c.unpaired === "drop" ? Math.min(...sides.map((s) => s.length)) : Math.max(...sides.map((s) => s.length));
    for (let i = 0; i < length; i++) {
      const row = sides.map((s) => s[i]).filter((item): item is Item => item !== undefined);
      // Later inputs' fields and files win, as b's did over a's.
      out.push(row.reduce((joined, item) => ({ json: { ...joined.json, ...item.json }, binary: { ...joined.binary, ...item.binary } })));
    }
    return out.map((item) => (item.binary && Object.keys(item.binary).length > 0 ? item : { json: item.json }));
  },
});
