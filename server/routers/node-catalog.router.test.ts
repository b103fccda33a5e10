import { describe, expect, it } from "vitest";
import { NODE_ICONS } from "../../nodes/_core/node-icons";
import { credentialRegistry, nodeRegistry } from "../../nodes/registry";
import { useTestDatabase } from "../db/test-databases";
import { anonymousCaller, rejection, signInAs } from "./test-helpers";

const rule = (right: string) => ({ left: "{{ $json.country }}", operator: "equals", right });

// The catalog reads no tables; a database is there only to sign in, so one kind is enough.
describe("node catalog router", () => {
  const database = useTestDatabase("postgres");

  it("lists every registered node type with its JSON Schema and ports", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Ada" });
    const catalog = await caller.nodeCatalog.list();
    expect(catalog.map((entry) => entry.type).sort()).toEqual([...nodeRegistry.keys()].sort());
    for (const entry of catalog) {
      expect(entry.configSchema, entry.type).toMatchObject({ type: "object" });
      expect(entry.configSchema.$schema, entry.type).toMatch(/json-schema\.org/);
      expect(entry.version, entry.type).toBeGreaterThanOrEqual(1);
      expect(entry.name.length, entry.type).toBeGreaterThan(0);
      expect(NODE_ICONS, entry.type).toContain(entry.icon);
      // Triggers take no input; a node with fixed ports shows them, one whose ports follow its config says so.
      if (entry.trigger) expect(entry.inputs, entry.type).toEqual([]);
      if (!entry.dynamicPorts) expect(entry.outputs.length, entry.type).toBeGreaterThan(0);
    }
  });

  it("lists every credential type with its fields, secret fields marked, and every node's credential type exists", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Kim" });
    const types = await caller.nodeCatalog.credentialTypes();
    expect(types.map((t) => t.type).sort()).toEqual([...credentialRegistry.keys()].sort());
    const header = types.find((t) => t.type === "http.header-auth")!;
    expect(header).toMatchObject({ name: "HTTP header", testable: false });
    expect(header.fieldsSchema).toMatchObject({ type: "object", required: ["name", "value"], properties: { name: { title: "Header name" }, value: { secret: true } } });
    expect((header.fieldsSchema as { properties: { name: { secret?: boolean } } }).properties.name.secret).toBeUndefined();
    for (const entry of await caller.nodeCatalog.list()) {
      if (entry.credential) expect(credentialRegistry.has(entry.credential.type), `${entry.type} needs ${entry.credential.type}`).toBe(true);
    }
  });

  it("describes each node as the editor needs it", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Grace" });
    const byType = new Map((await caller.nodeCatalog.list()).map((entry) => [entry.type, entry]));
    expect(byType.get("core.manual-trigger")).toMatchObject({ trigger: "manual", category: "trigger", inputs: [], outputs: ["out"], dynamicPorts: false });
    expect(byType.get("core.webhook")).toMatchObject({ trigger: "webhook", credential: { type: "webhook.secret", required: false } });
    expect(byType.get("core.schedule")).toMatchObject({ trigger: "schedule" });
    expect(byType.get("core.if")).toMatchObject({ trigger: null, inputs: ["in"], outputs: ["true", "false"], credential: null });
    expect(byType.get("core.merge")).toMatchObject({ inputs: ["a", "b"], outputs: ["out"] });
    expect(byType.get("core.switch")).toMatchObject({ dynamicPorts: true });
    const code = byType.get("core.code")!.configSchema as { properties: Record<string, { title?: string; ui?: unknown }> };
    expect(code.properties.code).toMatchObject({ title: "Code", ui: { widget: "code", language: "javascript" } });
    const http = byType.get("core.http-request")!.configSchema as { properties: Record<string, { default?: unknown }>; required: string[] };
    expect(http.properties.method?.default).toBe("GET");
    expect(http.required).toEqual(["url"]);
  });

  it("gives a switch's ports from its rules", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Linus" });
    expect(await caller.nodeCatalog.ports({ type: "core.switch", config: { rules: [rule("PL"), rule("DE")] } })).toEqual({
      inputs: ["in"],
      outputs: ["rule-1", "rule-2", "fallback"],
    });
    expect(await caller.nodeCatalog.ports({ type: "core.switch", config: { rules: [rule("PL")], fallback: false } })).toEqual({
      inputs: ["in"],
      outputs: ["rule-1"],
    });
    expect(await caller.nodeCatalog.ports({ type: "core.if", config: { conditions: [{ left: 1, operator: "isTrue" }] } })).toEqual({
      inputs: ["in"],
      outputs: ["true", "false"],
    });
  });

  it("refuses an unknown type and a config that does not fit", async () => {
    const { caller } = await signInAs({ db: database.db, name: "Barbara" });
    const unknown = await rejection(caller.nodeCatalog.ports({ type: "acme.nothing", config: {} }));
    expect({ code: unknown.code, message: unknown.message }).toEqual({ code: "NOT_FOUND", message: 'Unknown node type "acme.nothing"' });
    const misfit = await rejection(caller.nodeCatalog.ports({ type: "core.switch", config: { rules: [] } }));
    expect(misfit.code).toBe("BAD_REQUEST");
    expect(misfit.message).toBe('The config does not fit "core.switch": rules: add at least one rule');
  });

  it("refuses signed-out callers", async () => {
    const anonymous = anonymousCaller(database.db);
    expect((await rejection(anonymous.nodeCatalog.list())).code).toBe("UNAUTHORIZED");
    expect((await rejection(anonymous.nodeCatalog.ports({ type: "core.switch", config: { rules: [rule("PL")] } }))).code).toBe("UNAUTHORIZED");
  });
});
