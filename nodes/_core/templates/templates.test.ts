import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { canonicalJson } from "../canonical-json";
import { describe, expect, it } from "vitest";
import { readImportFile } from "../../../server/flow-import";
import { nodeRegistry } from "../../registry";
import { parseFlowDocument } from "../flow-document";
import { TEMPLATE_CATEGORIES, templates, templateText } from "./index";

const folder = path.dirname(fileURLToPath(import.meta.url));
const files = readdirSync(folder).filter((file) => file.endsWith(".json"));
const fileText = (id: string) => readFileSync(path.join(folder, `${id}.json`), "utf8");

describe("the template files", () => {
  it("are at least eight, each listed once in the index, and the index lists no template without a file", () => {
    expect(templates.length).toBeGreaterThanOrEqual(8);
    expect(templates.map((t) => `${t.id}.json`).sort()).toEqual(files.sort());
    expect(new Set(templates.map((t) => t.name)).size).toBe(templates.length);
    for (const t of templates) expect(TEMPLATE_CATEGORIES).toContain(t.category);
  });

  it.each(templates.map((t) => [t.id]))("%s is canonical: its bytes are the canonical form of its export, every default written out", (id) => {
    const text = fileText(id);
    expect(templateText(id)).toBe(text);
    const file = JSON.parse(text) as { name: string; document: unknown };
    expect(Object.keys(file).sort()).toEqual(["document", "name"]);
    const parsed = parseFlowDocument(file.document);
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    expect(canonicalJson({ name: file.name, document: parsed.document })).toBe(text);
  });

  it.each(templates.map((t) => [t.id]))("%s passes the import checks as a flow that can be activated", (id) => {
    const checked = readImportFile({ text: fileText(id), fileName: `${id}.json`, activate: true });
    if (!checked.ok) throw new Error(checked.message);
    expect(checked.flows).toHaveLength(1);
    expect(checked.flows[0]!.draftOnly).toBeNull();
    expect(checked.flows[0]!.versions).toHaveLength(1);
    expect(checked.flows[0]!.name).toBe(templates.find((t) => t.id === id)!.name);
  });

  it.each(templates.map((t) => [t.id]))("%s uses only our node types and refers to credentials by name alone", (id) => {
    const { document } = JSON.parse(fileText(id)) as { document: { nodes: { type: string; credentials: Record<string, Record<string, unknown>> }[] } };
    for (const node of document.nodes) {
      expect(nodeRegistry.get(node.type), node.type).toBeDefined();
      expect(node.type).not.toBe("core.placeholder");
      for (const ref of Object.values(node.credentials)) expect(Object.keys(ref)).toEqual(["name"]);
    }
  });

  it("summarizes each template from its document: node types once each, and every credential it refers to", () => {
    const rss = templates.find((t) => t.id === "rss-llm-digest")!;
    expect(rss.nodeTypes).toEqual(["feed.trigger", "core.code", "ai.llm", "messaging.alert"]);
    expect(rss.nodeCount).toBe(4);
    expect(rss.credentials).toEqual([
      { type: "openai.api", name: "OpenAI" },
      { type: "slack.incoming-webhook", name: "Team Slack" },
    ]);
    expect(templates.find((t) => t.id === "ab-landing-page")!.credentials).toEqual([]);
  });

  it("are each listed in the README's table, in the index's order", () => {
    const readme = readFileSync(path.join(folder, "../../../README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| ([^|]+?) \| ([^|]+?) \|/gm)].map((m) => `${m[1]} / ${m[2]}`);
    const listed = templates.map((t) => `${t.name} / ${t.category}`);
    expect(rows.filter((row) => listed.includes(row))).toEqual(listed);
  });

  it("claim different webhook paths, so every template can be active in one workspace", () => {
    const paths = templates.flatMap(({ id }) => {
      const { document } = JSON.parse(fileText(id)) as { document: { nodes: { config: { path?: unknown } }[] } };
      return document.nodes.flatMap((node) => (typeof node.config.path === "string" ? [node.config.path] : []));
    });
    expect(paths.length).toBeGreaterThan(0);
    expect(new Set(paths).size).toBe(paths.length);
  });
});
