import { describe, expect, it } from "vitest";
import { credentialCatalog, nodeCatalog } from "@/server/services/node-catalog-service";
import {
  acceptsText,
  checkValue,
  expressionSegments,
  fieldsOf,
  humanize,
  issuesAt,
  jsonText,
  kindOf,
  moveItem,
  newItem,
  normalizePath,
  parseJsonText,
  parseNumber,
  type JsonSchema,
} from "./schema-form";

/** The forms come from the real catalog, as the editor gets it. */
function schemaOf(type: string): JsonSchema {
  const entry = nodeCatalog().find((e) => e.type === type);
  if (!entry) throw new Error(`no node type ${type}`);
  return entry.configSchema as JsonSchema;
}

function fields(type: string) {
  return Object.fromEntries(fieldsOf(schemaOf(type), "config").map((f) => [f.key, f]));
}

describe("JSON Schema to fields", () => {
  it("maps the HTTP request node's config to the widgets a person expects", () => {
    const f = fields("core.http-request");
    expect(Object.keys(f)).toEqual(["method", "url", "query", "headers", "bodyMode", "body", "parts", "file", "responseFormat", "output", "timeoutMs", "followRedirects", "failOnStatus", "idempotencyHeader"]);
    expect(f.method).toMatchObject({ kind: "select", label: "Method", options: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], required: false });
    expect(f.url).toMatchObject({ kind: "text", path: "config.url", label: "URL", required: true, expression: true, placeholder: "https://api.example.com/items" });
    expect(f.query).toMatchObject({ kind: "keyValue", label: "Query parameters" });
    expect(f.headers).toMatchObject({ kind: "keyValue" });
    // A $ref into $defs (any JSON value) with the json hint.
    expect(f.body).toMatchObject({ kind: "json", expression: true });
    expect(acceptsText(f.body!.schema, schemaOf("core.http-request"))).toBe(true);
    expect(f.timeoutMs).toMatchObject({ kind: "number", integer: true, advanced: true });
    expect(f.followRedirects).toMatchObject({ kind: "switch", advanced: true });
    expect(f.idempotencyHeader).toMatchObject({ kind: "text", label: "Idempotency key header", required: false, advanced: true });
  });

  it("shows an imported placeholder's original type, parameters and ports as fields a person can read", () => {
    const f = fields("core.placeholder");
    expect(Object.keys(f)).toEqual(["source", "sourceType", "sourceVersion", "parameters", "inputs", "outputs", "note"]);
    expect(f.source).toMatchObject({ kind: "select", label: "Imported from", options: ["n8n", "node-red"] });
    expect(f.sourceType).toMatchObject({ kind: "text", label: "Original type", required: true });
    expect(f.parameters).toMatchObject({ kind: "json", label: "Original parameters" });
    expect(f.inputs).toMatchObject({ kind: "json", label: "Inputs" });
    expect(f.note).toMatchObject({ kind: "textarea", label: "Why it is not mapped" });
  });

  it("maps lists of objects, multi-selects, code, cron and untyped values", () => {
    const sw = fields("core.switch");
    expect(sw.rules).toMatchObject({ kind: "list", required: true, path: "config.rules" });
    const rule = fieldsOf(sw.rules!.schema.items!, "config.rules[0]", schemaOf("core.switch"));
    expect(rule.map((r) => [r.key, r.kind, r.label, r.expression])).toEqual([
      ["left", "text", "Value", true],
      ["operator", "select", "Operator", false],
      ["right", "text", "Compare with", true],
    ]);
    expect(rule[0]!.path).toBe("config.rules[0].left");
    expect(fields("core.webhook").methods).toMatchObject({ kind: "multiselect", options: ["GET", "POST", "PUT", "PATCH", "DELETE"] });
    expect(fields("core.code").code).toMatchObject({ kind: "code", language: "javascript", required: true });
    expect(fields("core.schedule").cron).toMatchObject({ kind: "cron", placeholder: "0 8 * * 1-5" });
    expect(fields("core.set").fields).toMatchObject({ kind: "keyValue" });
    expect(fields("core.respond-to-webhook").body).toMatchObject({ kind: "json" });
  });

  it("maps records, nested objects and unknown shapes", () => {
    expect(kindOf({ type: "object", additionalProperties: { type: "string" } })).toBe("record");
    expect(kindOf({ type: "object", properties: { a: { type: "string" } } })).toBe("object");
    expect(kindOf({ type: "object", additionalProperties: {} })).toBe("json");
    expect(kindOf({ type: "array", items: { type: "number" } })).toBe("json");
    expect(kindOf({ type: "string", ui: { widget: "textarea" } })).toBe("textarea");
    expect(kindOf({ type: ["string", "number", "boolean"] })).toBe("text");
  });

  it("makes credential forms from credential types, marking secrets", () => {
    const header = credentialCatalog().find((c) => c.type === "http.header-auth")!;
    const f = fieldsOf(header.fieldsSchema as JsonSchema, "data");
    expect(f.map((x) => [x.key, x.label, x.secret, x.required])).toEqual([
      ["name", "Header name", false, true],
      ["value", "Value", true, true],
    ]);
    expect(f[0]!.placeholder).toBe("X-API-Key");
  });

  it("words labels from keys when there is no title", () => {
    expect(humanize("timeoutMs")).toBe("Timeout ms");
    expect(humanize("respondNode")).toBe("Respond node");
    expect(humanize("x_api-key")).toBe("X api key");
  });
});

describe("issues on fields", () => {
  const issues = [
    { path: "config.url", message: "Invalid URL" },
    { path: "config.rules.1.left", message: "Required" },
    { path: "config.headers[0].name", message: "Invalid header name" },
    { path: "config.urlBase", message: "not this one" },
  ];

  it("puts each issue under its own field, whichever way the index is written", () => {
    expect(normalizePath("config.rules.1.left")).toBe("config.rules[1].left");
    expect(issuesAt(issues, "config.url")).toEqual(["Invalid URL"]);
    expect(issuesAt(issues, "config.rules[1].left")).toEqual(["Required"]);
    expect(issuesAt(issues, "config.rules[0].left")).toEqual([]);
    expect(issuesAt(issues, "config.headers")).toEqual([]);
  });

  it("gathers the issues inside a field shown as one control", () => {
    expect(issuesAt(issues, "config.headers", { within: true })).toEqual(["Invalid header name"]);
    expect(issuesAt(issues, "config.rules", { within: true })).toEqual(["Required"]);
  });
});

describe("instant checks", () => {
  const http = fields("core.http-request");
  const webhook = fields("core.webhook");
  const sw = fields("core.switch");

  it("flags a missing required value, but not one with a default", () => {
    expect(checkValue(http.url!, "")).toBe("URL is required");
    expect(checkValue(http.url!, undefined)).toBe("URL is required");
    expect(checkValue(http.method!, undefined)).toBeNull();
    expect(checkValue(http.url!, "https://example.com")).toBeNull();
  });

  it("checks numbers against the schema's bounds", () => {
    expect(checkValue(http.timeoutMs!, 0)).toBe("Timeout (ms) must be at least 1");
    expect(checkValue(http.timeoutMs!, 300_001)).toBe("Timeout (ms) must be at most 300000");
    expect(checkValue(http.timeoutMs!, 1.5)).toBe("Timeout (ms) must be a whole number");
    expect(checkValue(http.timeoutMs!, 5000)).toBeNull();
  });

  it("checks enums, lists and patterns, and leaves expressions to the run", () => {
    expect(checkValue(http.method!, "FETCH")).toBe("Method must be one of: GET, POST, PUT, PATCH, DELETE, HEAD");
    expect(checkValue(webhook.methods!, ["POST", "TRACE"])).toBe("HTTP methods must be one of: GET, POST, PUT, PATCH, DELETE");
    expect(checkValue(webhook.path!, "has space")).toBe("Path is not in the expected format");
    expect(checkValue(webhook.path!, "orders/new")).toBeNull();
    expect(checkValue(sw.rules!, [])).toBe("Rules is required");
    expect(checkValue(http.url!, "{{ $json.link }}")).toBeNull();
  });

  it("reads typed numbers and JSON, keeping what is not yet valid out of the config", () => {
    expect(parseNumber("")).toEqual({ value: undefined });
    expect(parseNumber(" 42 ")).toEqual({ value: 42 });
    expect(parseNumber("4.5", { integer: true })).toEqual({ error: "Enter a whole number" });
    expect(parseNumber("abc")).toEqual({ error: "Enter a number" });
    expect(parseJsonText('{"a": 1}')).toEqual({ value: { a: 1 } });
    expect(parseJsonText("{ a: 1 }")).toMatchObject({ error: expect.stringMatching(/^Not valid JSON/) });
    expect(parseJsonText('{"a": {{ $json.a }} }')).toEqual({ value: '{"a": {{ $json.a }} }' });
    expect(parseJsonText("plain text", { allowText: true })).toEqual({ value: "plain text" });
    expect(parseJsonText("   ")).toEqual({ value: undefined });
    expect(jsonText({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(jsonText("as written")).toBe("as written");
  });
});

describe("editing helpers", () => {
  it("makes new list rows from the item schema's defaults", () => {
    const sw = fields("core.switch");
    expect(newItem(sw.rules!.schema.items!, schemaOf("core.switch"))).toEqual({ left: "", operator: "equals" });
    const set = fields("core.set");
    expect(newItem(set.fields!.schema.items!, schemaOf("core.set"))).toEqual({ name: "", value: "" });
  });

  it("moves rows and splits text at its expressions", () => {
    expect(moveItem(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    expect(moveItem(["a", "b"], 0, -1)).toEqual(["a", "b"]);
    expect(expressionSegments("Hi {{ name }}, {{ $count(items) }}!")).toEqual([
      { text: "Hi ", expression: false },
      { text: "{{ name }}", expression: true },
      { text: ", ", expression: false },
      { text: "{{ $count(items) }}", expression: true },
      { text: "!", expression: false },
    ]);
  });
});
