import { describe, expect, it } from "vitest";
import { z } from "zod";
import { configJsonSchema } from "../_kit/define-node";
import { nodeRegistry } from "../registry";
import { describeConfigIssue, fieldWords } from "./config-messages";
import { FLOW_SCHEMA_TAG, flowDocumentSchema } from "./flow-document";
import { validateFlow } from "./validate";

type Prop = { type?: string | string[]; title?: string; maxLength?: number; pattern?: string; enum?: unknown[]; minItems?: number; anyOf?: unknown[] };

/** What zod says when nobody turned it into words. */
const PARSER_TALK = /Invalid input|received undefined|expected string|nodes\[|Too (small|big)|Invalid (string|option|element|key)|\bundefined\b/;

function documentWith(type: string, config: Record<string, unknown>) {
  const definition = nodeRegistry.get(type)!;
  return flowDocumentSchema.parse({
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
      { id: "n", name: "Under test", type, typeVersion: definition.version, position: { x: 200, y: 0 }, config },
    ],
    edges: [],
  });
}

/** Values that break one rule of a field, each named by the rule. */
function breakers(prop: Prop): [string, unknown][] {
  const out: [string, unknown][] = [];
  const type = Array.isArray(prop.type) ? undefined : prop.type;
  if (type === "string") out.push(["wrong type", 12345]);
  if (type === "number" || type === "integer") out.push(["wrong type", "many"]);
  if (type === "boolean") out.push(["wrong type", "yes"]);
  if (type === "array") out.push(["wrong type", "a, b"]);
  if (prop.maxLength !== undefined) out.push(["too long", "x".repeat(prop.maxLength + 1)]);
  if (prop.pattern) out.push(["regex", " ~not this~ "]);
  if (prop.enum) out.push(["enum", "__not_an_option__"]);
  if (type === "array" && prop.minItems) out.push(["array min", []]);
  return out;
}

const nodeTypes = [...nodeRegistry.values()].map((d) => d.type);

describe("config problems in words, for every node type", () => {
  it.each(nodeTypes)("%s: required fields, wrong types, too long, regex, enum and short lists read as words on the field", (type) => {
    const definition = nodeRegistry.get(type)!;
    const schema = configJsonSchema(definition) as { properties?: Record<string, Prop>; required?: string[] };
    const base = definition.starter;
    const checked: string[] = [];

    const expectWords = (config: Record<string, unknown>, key: string, title: string, rule: string) => {
      const issues = validateFlow(documentWith(type, config), nodeRegistry).filter((i) => i.path.startsWith("nodes[1].config"));
      for (const issue of issues) {
        expect(issue.message, `${type} ${key} ${rule}`).not.toMatch(PARSER_TALK);
        expect(issue.fieldMessage, `${type} ${key} ${rule}`).not.toMatch(PARSER_TALK);
        expect(issue.message.startsWith(`Node "Under test": `), issue.message).toBe(true);
      }
      const onField = issues.filter((i) => i.path === `nodes[1].config.${key}`);
      if (onField.length === 0) return;
      checked.push(`${key}:${rule}`);
      // Each problem once, and said on its field with the field's title.
      expect(new Set(onField.map((i) => i.fieldMessage)).size, `${type} ${key} ${rule}`).toBe(onField.length);
      expect(onField.some((i) => i.fieldMessage!.includes(title) || /^[A-Z]/.test(i.fieldMessage!)), `${type} ${key} ${rule}: ${onField.map((i) => i.fieldMessage).join(" | ")}`).toBe(true);
      // "City is required", unless the node's author said more for this field.
      if (rule === "required") expect(onField.some((i) => i.fieldMessage === `${title} is required` || i.message.includes(`${title}: `)), onField.map((i) => i.message).join(" | ")).toBe(true);
    };

    for (const key of schema.required ?? []) {
      const title = schema.properties?.[key]?.title ?? key;
      const { [key]: _dropped, ...rest } = base;
      expectWords(rest, key, title, "required");
    }
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      for (const [rule, value] of breakers(prop)) expectWords({ ...base, [key]: value }, key, prop.title ?? key, rule);
    }
    // Every node with settings has at least one problem that was checked this way.
    if (Object.keys(schema.properties ?? {}).length > 0) expect(checked.length, type).toBeGreaterThan(0);
  });

  it("phrases each kind of problem as a person would", () => {
    const schema = z.object({
      city: z.string().min(1).max(5).meta({ title: "City" }),
      units: z.enum(["metric", "imperial"]).meta({ title: "Units" }),
      code: z.string().regex(/^[A-Z]+$/).meta({ title: "Code" }),
      tags: z.array(z.object({ name: z.string().meta({ title: "Name" }) })).min(2).meta({ title: "Tags" }),
      count: z.number().int().min(1).meta({ title: "Count" }),
    });
    const words = (config: Record<string, unknown>) => {
      const parsed = schema.safeParse(config);
      return parsed.success ? [] : parsed.error.issues.map((issue) => describeConfigIssue({ schema, issue, config }));
    };
    const ok = { city: "Oslo", units: "metric", code: "AB", tags: [{ name: "a" }, { name: "b" }], count: 1 };
    expect(words({ ...ok, city: undefined })).toEqual([{ field: "City is required", full: "City is required" }]);
    expect(words({ ...ok, city: "" })).toEqual([{ field: "City is required", full: "City is required" }]);
    expect(words({ ...ok, city: 7 })[0]?.field).toBe("City must be text");
    expect(words({ ...ok, city: "Reykjavik" })[0]?.field).toBe("City must be at most 5 characters");
    expect(words({ ...ok, units: "si" })[0]?.field).toBe("Units must be one of: Metric, Imperial");
    expect(words({ ...ok, code: "ab" })[0]?.field).toBe("Code is not in the expected format");
    expect(words({ ...ok, tags: [] })[0]?.field).toBe("Tags needs at least 2 entries");
    expect(words({ ...ok, tags: [{ name: "a" }, {}] })[0]).toEqual({ field: "Name is required", full: "Tag 2: Name is required" });
    expect(words({ ...ok, count: 1.5 })[0]?.field).toBe("Count must be a whole number");
    expect(words({ ...ok, count: 0 })[0]?.field).toBe("Count must be at least 1");
  });

  it("keeps a message written for the field, joined to its title or standing on its own", () => {
    const schema = z.object({
      path: z.string().regex(/^a/, "must start with a").meta({ title: "Path" }),
      list: z.array(z.string()).min(2, "an experiment needs at least two variants").meta({ title: "Variants" }),
    });
    const config = { path: "b", list: [] };
    const issues = schema.safeParse(config).error!.issues.map((issue) => describeConfigIssue({ schema, issue, config }));
    expect(issues).toEqual([
      { field: "Path must start with a", full: "Path must start with a" },
      { field: "An experiment needs at least two variants", full: "Variants: an experiment needs at least two variants" },
    ]);
  });

  it("names nested places by their titles and item numbers", () => {
    const schema = z.object({ rules: z.array(z.object({ left: z.string().meta({ title: "Value" }) })).meta({ title: "Rules" }) });
    expect(fieldWords(schema, ["rules", 2, "left"])).toEqual({ label: "Value", where: "Rule 3: Value" });
    expect(fieldWords(schema, ["rules", 0])).toEqual({ label: "Rule 1", where: "Rule 1" });
    expect(fieldWords(schema, ["unknownKey"])).toEqual({ label: "Unknown key", where: "Unknown key" });
  });
});
