import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { NodeConfigError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { copyJson, isPlainObject } from "../_kit/items";

const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);

const field = z.object({
  name: z
    .string()
    .regex(/^[^.\s]+(\.[^.\s]+)*$/, "must be a field name; use dots for nesting, such as \"address.city\"")
    .refine((name) => !name.split(".").some((p) => FORBIDDEN_NAMES.has(p)), "must not name __proto__, constructor or prototype")
    .meta({ title: "Field" }),
  value: z.unknown().meta({ title: "Value", ...ui({ expression: true }) }),
});

const FIELD_TYPES = ["string", "number", "boolean", "array", "object"] as const;
type FieldType = (typeof FIELD_TYPES)[number];

/** The value as the field's type, or undefined when it cannot be one (text that is not a number, say). */
function converted(value: unknown, type: FieldType): { value: unknown } | undefined {
  if (value === null || value === undefined) return { value };
  const text = typeof value === "string" ? value.trim() : undefined;
  switch (type) {
    case "string":
      return { value: typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value) };
    case "number": {
      const n = typeof value === "number" ? value : typeof value === "boolean" ? Number(value) : text ? Number(text) : NaN;
      return Number.isFinite(n) ? { value: n } : undefined;
    }
    case "boolean": {
      if (typeof value === "boolean") return { value };
      const word = typeof value === "number" ? String(value) : text?.toLowerCase();
      return word === "true" || word === "1" ? { value: true } : word === "false" || word === "0" ? { value: false } : undefined;
    }
    case "array":
    case "object": {
      let parsed = value;
      if (text !== undefined) {
        try {
          parsed = JSON.parse(text);
        } catch {
          return undefined;
        }
      }
      return (type === "array" ? Array.isArray(parsed) : isPlainObject(parsed)) ? { value: parsed } : undefined;
    }
  }
}

/** What "Fields from JSON" gave: an object, or JSON text of one; anything else says what it was. */
function objectOf(value: unknown, nodeName: string): Record<string, unknown> {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = value;
    }
  }
  if (!isPlainObject(parsed)) {
    const was = Array.isArray(parsed) ? "a list" : parsed === null ? "null" : typeof parsed === "string" ? "text that is not a JSON object" : `a ${typeof parsed}`;
    throw new NodeConfigError(`Node "${nodeName}": "Fields from JSON" must give an object such as {"status": "ok"}, but gave ${was}`);
  }
  const forbidden = Object.keys(parsed).find((key) => FORBIDDEN_NAMES.has(key));
  if (forbidden) throw new NodeConfigError(`Node "${nodeName}": "Fields from JSON" must not name ${forbidden}`);
  return parsed;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/** Sets fields on each item from fixed values or expressions. */
export const setNode = defineNode({
  type: "core.set",
  version: 1,
  name: "Set",
  description: "Adds or replaces fields on each item; values may be expressions.",
  category: "data",
  icon: "pencil",
  pure: true,
  config: z.object({
    json: z
      .unknown()
      .optional()
      .meta({
        title: "Fields from JSON",
        description: "An object, or an expression giving one, whose fields are set as they are named (spaces and dots included), before the fields below.",
        ...ui({ widget: "json", expression: true }),
      }),
    fields: z.array(field).default([]).meta({ title: "Fields", ...ui({ widget: "keyValue" }) }),
    keepOnlySet: z.boolean().default(false).meta({ title: "Keep only these fields" }),
    types: z
      .record(z.string(), z.enum(FIELD_TYPES))
      .optional()
      .meta({
        title: "Field types",
        description: "Converts a field's value, by its name: string (to text), number or boolean (from text), array or object (from JSON text).",
        ...ui({ widget: "keyValue", advanced: true }),
      }),
    keepUnconverted: z
      .boolean()
      .optional()
      .meta({ title: "Keep values that do not convert", description: "A value that is not of its field's type is set as it is instead of failing the step.", ...ui({ advanced: true }) }),
  }),
  async execute({ input, ctx }) {
    const out: Item[] = [];
    for await (const { item, config } of eachItem({ input, ctx })) {
      const json: Record<string, unknown> = config.keepOnlySet ? {} : copyJson(item.json);
      // Config values are copied where they come in, so a later field writing into one (`a`, then `a.b`) or a node
      // downstream changing it never changes the flow's config or another item. JSON text parsed on the way is the
      // item's own already.
      if (config.json !== undefined) Object.assign(json, objectOf(copyJson(config.json), ctx.node.name));
      for (const f of config.fields) {
        const type = config.types?.[f.name];
        const fieldValue = copyJson(f.value);
        const value = type ? converted(fieldValue, type) : { value: fieldValue };
        if (!value && !config.keepUnconverted) {
          throw new NodeConfigError(`Node "${ctx.node.name}": field "${f.name}" is ${JSON.stringify(f.value)?.slice(0, 80)}, which is not ${type === "array" ? "a list" : type === "object" ? "an object" : `a ${type}`}; change its type or turn on keeping values that do not convert`);
        }
        setPath(json, f.name, value ? value.value : fieldValue);
      }
      out.push(item.binary ? { json, binary: item.binary } : { json });
    }
    return out;
  },
});
