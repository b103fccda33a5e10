import { z } from "zod";

/**
 * What is wrong with a config field, in words a person reads on the field ("City is required"), not zod's
 * ("Invalid input: expected string, received undefined"). The editor's own instant checks phrase with the same
 * functions, so a problem it finds and the server's report of it read the same and are shown once.
 */
export const phrase = {
  required: (label: string) => `${label} is required`,
  wrongType: (label: string, expected: string) => `${label} must be ${KIND_WORDS[expected] ?? "a different kind of value"}`,
  atLeast: (label: string, n: number | bigint) => `${label} must be at least ${n}`,
  atMost: (label: string, n: number | bigint) => `${label} must be at most ${n}`,
  moreThan: (label: string, n: number | bigint) => `${label} must be more than ${n}`,
  lessThan: (label: string, n: number | bigint) => `${label} must be less than ${n}`,
  wholeNumber: (label: string) => `${label} must be a whole number`,
  minChars: (label: string, n: number | bigint) => `${label} needs at least ${n} character${n === 1 ? "" : "s"}`,
  maxChars: (label: string, n: number | bigint) => `${label} must be at most ${n} characters`,
  minItems: (label: string, n: number | bigint) => `${label} needs at least ${n} ${n === 1 ? "entry" : "entries"}`,
  maxItems: (label: string, n: number | bigint) => `${label} takes at most ${n} entries`,
  format: (label: string) => `${label} is not in the expected format`,
  oneOf: (label: string, options: readonly unknown[]) => `${label} must be one of: ${options.map((o) => optionWords(o)).join(", ")}`,
};

const KIND_WORDS: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  bigint: "a whole number",
  boolean: "on or off",
  array: "a list",
  object: "a group of settings",
  record: "a group of settings",
  date: "a date",
};

const FORMAT_WORDS: Record<string, string> = {
  email: "an e-mail address",
  url: "a web address such as https://example.com",
  uuid: "an id (UUID)",
  datetime: "a date and time such as 2025-01-31T08:00:00Z",
  date: "a date such as 2025-01-31",
  time: "a time such as 08:00",
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
};

/** "timeoutMs" → "Timeout ms", "respondNode" → "Respond node". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An option as a person reads it: identifiers in words ("respondNode" → "Respond node"), others as written ("GET"). */
export function optionWords(option: unknown): string {
  return typeof option === "string" && /^[a-z][A-Za-z0-9]*$/.test(option) ? humanize(option) : String(option);
}

function singular(label: string): string {
  return label.endsWith("s") && !label.endsWith("ss") ? label.slice(0, -1) : label;
}

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; options?: z.ZodType[]; valueType?: z.ZodType };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema's own title, or that of what it wraps (`.default()` after `.meta()` puts the title one level in). */
function titleOf(schema: z.ZodType | undefined): string | undefined {
  for (let s = schema, hops = 0; s && hops < 10; hops++) {
    const title = z.globalRegistry.get(s)?.title;
    if (typeof title === "string") return title;
    const def = defOf(s);
    s = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
  }
  return undefined;
}

/** The schema under wrappers (optional, default, pipes, transforms), where the shape or element is. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let hops = 0; hops < 20; hops++) {
    const def = defOf(s);
    if (def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = defOf(def.in).type === "transform" ? def.out! : def.in;
    else break;
  }
  return s;
}

function child(schema: z.ZodType, key: PropertyKey): z.ZodType | undefined {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === "object") return def.shape?.[String(key)];
  if (def.type === "array") return def.element;
  if (def.type === "record") return def.valueType;
  if (def.type === "union") {
    for (const option of def.options ?? []) {
      const found = child(option, key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The words for the place an issue is about: the field's title for `label`, and with the lists it sits in for
 * `where` ("Variant 2: Name").
 */
export function fieldWords(schema: z.ZodType, path: readonly PropertyKey[]): { label: string; where: string } {
  let current: z.ZodType | undefined = schema;
  let label = "The settings";
  const parts: string[] = [];
  let pending: string | null = null;
  for (const key of path) {
    const next: z.ZodType | undefined = current ? child(current, key) : undefined;
    if (typeof key === "number") {
      pending = `${singular(label)} ${key + 1}`;
    } else {
      if (pending) parts.push(pending);
      else if (parts.length === 0 && label !== "The settings") parts.push(label);
      pending = null;
      label = titleOf(next) ?? humanize(String(key));
    }
    current = next;
  }
  if (pending) return { label: pending, where: [...parts.filter((p) => p !== label), pending].join(": ") };
  const lead = parts.filter((p, i) => !(i === parts.length - 1 && p === label));
  return { label, where: [...lead, label].join(": ") };
}

/** Zod's own English messages; anything else was written for the field and is kept. */
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized key|Expected|Required)\b/;
const JOINS = /^(must|is|are|needs|cannot|can't|has|have|takes|should|may|only)\b/;

function phraseIssue(issue: z.core.$ZodIssue, label: string, value: unknown, { alone }: { alone: boolean }): string {
  // Nothing there: required, whatever the type's message; a union's own message may say more (check its expression).
  if (value === undefined && issue.code === "invalid_type") return phrase.required(label);
  if (!ZOD_DEFAULT.test(issue.message)) {
    // Written for the field: a predicate joins its label ("Path must be …"); a sentence stands on its own beside it.
    const own = issue.message.trim();
    if (JOINS.test(own)) return `${label} ${own}`;
    return alone ? own.charAt(0).toUpperCase() + own.slice(1) : `${label}: ${own}`;
  }
  if (value === undefined && (issue.code === "invalid_union" || issue.code === "invalid_value")) return phrase.required(label);
  switch (issue.code) {
    case "invalid_type":
      return phrase.wrongType(label, issue.expected);
    case "too_small": {
      const n = issue.minimum as number;
      if (issue.origin === "string") return n <= 1 ? phrase.required(label) : phrase.minChars(label, n);
      if (issue.origin === "array" || issue.origin === "set") return phrase.minItems(label, n);
      return issue.inclusive === false ? phrase.moreThan(label, n) : phrase.atLeast(label, n);
    }
    case "too_big": {
      const n = issue.maximum as number;
      if (issue.origin === "string") return phrase.maxChars(label, n);
      if (issue.origin === "array" || issue.origin === "set") return phrase.maxItems(label, n);
      return issue.inclusive === false ? phrase.lessThan(label, n) : phrase.atMost(label, n);
    }
    case "invalid_format":
      return issue.format === "regex" || !FORMAT_WORDS[issue.format] ? phrase.format(label) : `${label} must be ${FORMAT_WORDS[issue.format]}`;
    case "invalid_value":
      return phrase.oneOf(label, issue.values);
    case "not_multiple_of":
      return issue.divisor === 1 ? phrase.wholeNumber(label) : `${label} must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `${label} has settings this node does not know: ${issue.keys.join(", ")}`;
    case "invalid_union":
      return "note" in issue && issue.note === "No matching discriminator" ? `${label} is not one of the choices` : `${label} has a value of the wrong kind`;
    default:
      return `${label} is not set up correctly`;
  }
}

function valueAt(config: unknown, path: readonly PropertyKey[]): unknown {
  let value = config;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * One config issue in words: `field` for the field itself ("City is required"), `full` naming the field's place
 * for lists and notices ("Variant 2: Name is required").
 */
export function describeConfigIssue({ schema, issue, config }: { schema: z.ZodType; issue: z.core.$ZodIssue; config: unknown }): { field: string; full: string } {
  const { label, where } = fieldWords(schema, issue.path);
  const value = valueAt(config, issue.path);
  return { field: phraseIssue(issue, label, value, { alone: true }), full: phraseIssue(issue, where, value, { alone: false }) };
}
