import { describe, expect, it } from "vitest";
import { z } from "zod";
import { configJsonSchema, defineNode, migrateConfig, splitLiteralFields, toPortItems, ui, type NodeSpec } from "./define-node";
import type { Item } from "./items";
import { runNode } from "../../runner/node-testing";

const about = { name: "Greeter", description: "Says hello", category: "data", icon: "pencil" } as const;
const passThrough = async ({ input }: { input: Item[] }) => input;
const base = { ...about, config: z.object({ greeting: z.string().default("Hello") }), execute: passThrough };

describe("defineNode", () => {
  it("refuses types that are not dotted lower-case ids", () => {
    for (const type of ["greeter", "Core.greeter", "core.", ".greeter", "core..greeter", "core.greeter!", "1core.greeter", "core greeter"]) {
      expect(() => defineNode({ ...base, type, version: 1 }), type).toThrow(`Node type "${type}" must be dotted, such as "core.webhook"`);
    }
    expect(defineNode({ ...base, type: "acme.greeter-v2.hello", version: 1 }).type).toBe("acme.greeter-v2.hello");
  });

  it("refuses a version below 1 or not whole", () => {
    for (const version of [0, -1, 1.5]) {
      expect(() => defineNode({ ...base, type: "acme.greeter", version })).toThrow('Node type "acme.greeter" needs a version of 1 or more');
    }
  });

  it("refuses a version without a migration from every earlier one", () => {
    expect(() => defineNode({ ...base, type: "acme.greeter", version: 2 })).toThrow('Node type "acme.greeter" has no config migration from version 1 to 2');
    expect(() => defineNode({ ...base, type: "acme.greeter", version: 3, migrations: { 1: (c) => c } })).toThrow("from version 2 to 3");
    expect(defineNode({ ...base, type: "acme.greeter", version: 3, migrations: { 1: (c) => c, 2: (c) => c } }).version).toBe(3);
  });

  it("gives ports: triggers take no input, others one; fixed ports are copied, config-derived ones follow the config", () => {
    const plain = defineNode({ ...base, type: "acme.plain", version: 1 });
    expect([plain.inputsFor({ greeting: "x" }), plain.outputsFor({ greeting: "x" }), plain.dynamicPorts]).toEqual([["in"], ["out"], false]);
    const trigger = defineNode({ ...base, type: "acme.trigger", version: 1, trigger: { kind: "manual" } });
    expect(trigger.inputsFor({ greeting: "x" })).toEqual([]);
    const declared = ["yes", "no"];
    const fixed = defineNode({ ...base, type: "acme.fixed", version: 1, outputs: declared });
    declared.push("maybe");
    expect(fixed.outputsFor({ greeting: "x" })).toEqual(["yes", "no"]);
    const dynamic = defineNode({ ...base, type: "acme.dynamic", version: 1, outputs: (config) => [config.greeting, "other"] });
    expect([dynamic.outputsFor({ greeting: "hi" }), dynamic.dynamicPorts]).toEqual([["hi", "other"], true]);
  });
});

describe("migrateConfig", () => {
  const versionedSpec = {
    ...about,
    execute: passThrough,
    type: "acme.versioned",
    version: 3,
    config: z.object({ text: z.string(), loud: z.boolean() }),
    migrations: {
      // 1 → 2: "message" was renamed "text".
      1: ({ message, ...rest }) => ({ ...rest, text: message, steps: ["1→2"] }),
      // 2 → 3: "loud" was added.
      2: (config) => ({ ...config, loud: false, steps: [...(config.steps as string[]), "2→3"] }),
    } satisfies NodeSpec<z.ZodType>["migrations"],
  };
  const versioned = defineNode(versionedSpec);

  it("applies each migration in order from the stored version", () => {
    expect(migrateConfig(versioned, { message: "hi" }, 1)).toEqual({ text: "hi", loud: false, steps: ["1→2", "2→3"] });
    expect(migrateConfig(versioned, { text: "hi", steps: [] }, 2)).toEqual({ text: "hi", loud: false, steps: ["2→3"] });
    expect(migrateConfig(versioned, { text: "hi", loud: true }, 3)).toEqual({ text: "hi", loud: true });
  });

  it("refuses a config saved by a newer version than this server knows", () => {
    expect(() => migrateConfig(versioned, { text: "hi", loud: true }, 4)).toThrow('"acme.versioned" version 4 is newer than this server knows (3)');
  });

  it("is applied by runNode before the config is validated", async () => {
    const seen: unknown[] = [];
    const node = defineNode({
      ...versionedSpec,
      type: "acme.versioned-run",
      async execute({ config }) {
        seen.push(config);
      },
    });
    await runNode(node, { config: { message: "hi" }, typeVersion: 1 });
    expect(seen).toEqual([{ text: "hi", loud: false }]);
  });
});

describe("configJsonSchema", () => {
  const documented = defineNode({
    ...about,
    execute: passThrough,
    type: "acme.documented",
    version: 1,
    config: z.object({
      url: z.string().meta({ title: "URL", description: "Where to send it", ...ui({ expression: true, placeholder: "https://…" }) }),
      code: z.string().optional().meta({ title: "Code", ...ui({ widget: "code", language: "javascript", advanced: true }) }),
      retries: z.number().int().default(3).meta({ title: "Retries" }),
      mode: z.enum(["fast", "safe"]).default("safe"),
    }),
  });

  it("keeps .meta() titles, descriptions and UI hints", () => {
    const schema = configJsonSchema(documented) as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.url).toMatchObject({ type: "string", title: "URL", description: "Where to send it", ui: { expression: true, placeholder: "https://…" } });
    expect(schema.properties.code).toMatchObject({ title: "Code", ui: { widget: "code", language: "javascript", advanced: true } });
  });

  it("describes the input side: defaulted fields are optional and show their default", () => {
    const schema = configJsonSchema(documented) as { type: string; required: string[]; properties: Record<string, Record<string, unknown>> };
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(["url"]);
    expect(schema.properties.retries).toMatchObject({ type: "integer", default: 3, title: "Retries" });
    expect(schema.properties.mode).toMatchObject({ enum: ["fast", "safe"], default: "safe" });
  });
});

describe("toPortItems", () => {
  it("reads nothing as no items, a list as the default port, and ports as given", () => {
    const items = [{ json: { a: 1 } }];
    expect(toPortItems(undefined)).toEqual({});
    expect(toPortItems(items)).toEqual({ out: items });
    expect(toPortItems([])).toEqual({ out: [] });
    expect(toPortItems({ true: items, false: [] })).toEqual({ true: items, false: [] });
  });
});

describe("splitLiteralFields", () => {
  it("separates the fields taken as written", () => {
    const code = defineNode({ ...base, type: "acme.code", version: 1, literalFields: ["source"] });
    expect(splitLiteralFields(code, { source: "{{ x }}", label: "{{ y }}" })).toEqual({ evaluated: { label: "{{ y }}" }, literal: { source: "{{ x }}" } });
    const plain = defineNode({ ...base, type: "acme.plain", version: 1 });
    expect(splitLiteralFields(plain, { label: "{{ y }}" })).toEqual({ evaluated: { label: "{{ y }}" }, literal: {} });
  });
});
