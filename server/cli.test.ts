import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbConnection } from "./db/connect";
import { createTestDatabase } from "./db/test-databases";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { signInAs } from "./routers/test-helpers";
import { runCli, type CliOutcome } from "./cli-process";
import { flowService } from "./services/flow-service";


const node = (id: string, type: string, name: string, x: number, config: Record<string, unknown> = {}) => ({
  id,
  type,
  name,
  position: { x, y: 0 },
  config,
});

const webhookFlow = (hookPath: string) => ({
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    node("hook", "core.webhook", "Order arrives", 0, { path: hookPath }),
    node("tag", "core.set", "Tag", 240, { fields: [{ name: "seen", value: true }] }),
  ],
  edges: [{ id: "e1", source: "hook", target: "tag" }],
});

const doublingFlow = {
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    node("start", "core.manual-trigger", "Start", 0),
    node("double", "core.set", "Double", 240, { fields: [{ name: "result", value: "{{ n * 2 }}" }], keepOnlySet: true }),
  ],
  edges: [{ id: "e1", source: "start", target: "double" }],
};

// Each test runs the CLI as processes of their own (each opens the database): on a busy machine, more than a minute.
describe("the command-line interface against PostgreSQL", { timeout: 150_000 }, () => {
  let connection: DbConnection;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let ada: Awaited<ReturnType<typeof signInAs>>;
  let bob: Awaited<ReturnType<typeof signInAs>>;

  beforeAll(async () => {
    connection = await createTestDatabase("postgres");
    if (connection.target.kind !== "postgres") throw new Error("expected a PostgreSQL test database");
    dir = await mkdtemp(path.join(os.tmpdir(), "streamware-cli-"));
    // The CLI runs flows in its own process (no REDIS_URL), on the test database.
    const { REDIS_URL: _redis, ...inherited } = process.env;
    env = {
      ...inherited,
      DATABASE_URL: connection.target.url,
      DATA_DIR: dir,
      NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
      STREAMWARE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      LOG_LEVEL: "warn",
    };
    ada = await signInAs({ db: connection.db, name: "Ada" });
    bob = await signInAs({ db: connection.db, name: "Bob" });
  });

  afterAll(async () => {
    await connection?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]): Promise<CliOutcome> => runCli(env, args);

  async function file(name: string, content: unknown): Promise<string> {
    const target = path.join(dir, name);
    await writeFile(target, JSON.stringify(content));
    return target;
  }

  /** Imports a document as Ada and returns the new flow's id. */
  async function imported(name: string, content: unknown, ...options: string[]): Promise<string> {
    const result = await cli("import", await file(name, content), "--user", ada.user.email, ...options);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return (JSON.parse(result.stdout) as { flowId: string }).flowId;
  }

  it("prints its usage for --help, and refuses an unknown command with it", async () => {
    const help = await cli("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: npm run cli -- <command> [options]");
    for (const command of ["flows", "import <file>", "export <flowId>", "run <flowId>", "runs <flowId>"]) expect(help.stdout).toContain(command);

    const unknown = await cli("deploy");
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain('Unknown command "deploy"');
    expect(unknown.stderr).toContain("Usage: npm run cli");
  });

  it("imports an export and activates it, acting as the workspace's owner, and records its webhook route", async () => {
    const { db } = connection;
    const source = await file("orders.json", { name: "Orders", document: webhookFlow("orders/new") });
    const result = await cli("import", source, "--workspace", ada.workspace.slug, "--activate");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { flowId: string };
    expect(printed).toEqual({
      flowId: expect.any(String),
      name: "Orders",
      workspace: ada.workspace.slug,
      version: 1,
      active: true,
      webhooks: [{ path: `/hooks/${ada.workspace.slug}/orders/new`, methods: ["POST"] }],
    });

    const flow = await db.flow.findUniqueOrThrow({
      where: { id: printed.flowId },
      select: { workspaceId: true, createdById: true, activeVersion: { select: { number: true, message: true, authorId: true } } },
    });
    expect(flow).toEqual({
      workspaceId: ada.workspace.id,
      createdById: ada.user.id,
      activeVersion: { number: 1, message: "Imported from orders.json", authorId: ada.user.id },
    });
    const routes = await db.webhookRoute.findMany({ where: { flowId: printed.flowId }, select: { path: true, nodeId: true, workspaceId: true } });
    expect(routes).toEqual([{ path: "orders/new", nodeId: "hook", workspaceId: ada.workspace.id }]);
  });

  it("refuses an invalid document with the path of every issue, and creates nothing", async () => {
    const { db } = connection;
    const before = await db.flow.count({ where: { workspaceId: ada.workspace.id } });
    const broken = doublingFlow.nodes.map((n, i) => (i === 0 ? { ...n, position: { x: "left", y: 0 } } : n));
    const invalid = await cli(
      "import",
      await file("broken.json", { ...doublingFlow, nodes: broken, edges: [{ id: "e1", source: "start", target: "ghost" }] }),
      "--user",
      ada.user.email,
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toContain("broken.json is invalid (2 problems)");
    expect(invalid.stderr).toMatch(/^ {2}nodes\[0\]\.position\.x: .+$/m);
    expect(invalid.stderr).toContain('  edges[0].target: no node with id "ghost"');

    // A well-formed document that could not run is refused before anything is created when it is to be activated.
    const noTrigger = { ...doublingFlow, nodes: [doublingFlow.nodes[1]!], edges: [] };
    const unrunnable = await cli("import", await file("no-trigger.json", noTrigger), "--user", ada.user.email, "--activate");
    expect(unrunnable.code).toBe(1);
    expect(unrunnable.stderr).toContain("no-trigger.json cannot be activated (1 problem)");
    expect(unrunnable.stderr).toContain("  nodes: The flow has no trigger");

    expect(await db.flow.count({ where: { workspaceId: ada.workspace.id } })).toBe(before);
  });

  it("refuses, without --activate too, a document whose version could never run, naming each node and what is wrong", async () => {
    const { db } = connection;
    const before = await db.flow.count({ where: { workspaceId: ada.workspace.id } });
    const looping = {
      ...doublingFlow,
      nodes: [...doublingFlow.nodes, node("odd", "acme.nothing", "Mystery", 480), node("again", "core.set", "Again", 720)],
      edges: [
        ...doublingFlow.edges,
        { id: "e2", source: "double", target: "again" },
        { id: "e3", source: "again", target: "double" },
      ],
    };
    const result = await cli("import", await file("looping.json", looping), "--user", ada.user.email);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/looping\.json cannot run, so it cannot be saved as a version \(\d+ problems?\)/);
    expect(result.stderr).toContain('  nodes[2].type: Node "Mystery" has the unknown type "acme.nothing"');
    expect(result.stderr).toMatch(/^ {2}edges\[\d+\]: The flow has a cycle through .*Double.*Again|^ {2}edges\[\d+\]: The flow has a cycle through .*Again.*Double/m);
    expect(result.stderr).toContain("Nothing was imported.");
    expect(await db.flow.count({ where: { workspaceId: ada.workspace.id } })).toBe(before);
  });

  it("refuses a document nested 5,000 levels with the limit and where, never a stack, and creates nothing", async () => {
    const { db } = connection;
    const before = await db.flow.count({ where: { workspaceId: ada.workspace.id } });
    // Written by hand: JSON.stringify itself overflows at this depth.
    const config = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
    const target = path.join(dir, "deep.json");
    await writeFile(target, `{"schema":"${FLOW_SCHEMA_TAG}","nodes":[{"id":"m","type":"core.manual","name":"Start","position":{"x":0,"y":0},"config":${config}}],"edges":[]}`);
    const result = await cli("import", target, "--user", ada.user.email);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("RangeError");
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).toMatch(/deep\.json is invalid \(1 problem\):\n {2}nodes\[0\]\.config\.a[.a…]*: nests deeper than 108 levels, the limit for flow documents \(JSON_MAX_DEPTH \+ 8\); flatten it\nNothing was imported\.\n$/);
    expect(await db.flow.count({ where: { workspaceId: ada.workspace.id } })).toBe(before);
  });

  it("exports a flow that imports again with the same nodes", async () => {
    const { db } = connection;
    // A bare document takes its name from the file.
    const original = await imported("Doubler.json", doublingFlow);
    expect(await db.flow.findUniqueOrThrow({ where: { id: original }, select: { name: true } })).toEqual({ name: "Doubler" });

    const printed = await cli("export", original, "--user", ada.user.email);
    expect(printed.code).toBe(0);
    const exported = JSON.parse(printed.stdout) as { name: string; document: { schema: string; nodes: unknown[] } };
    expect(exported.name).toBe("Doubler");
    expect(exported.document.schema).toBe(FLOW_SCHEMA_TAG);

    const out = path.join(dir, "doubler-export.json");
    const written = await cli("export", original, "--user", ada.user.email, "--out", out);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe("");
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual(exported);

    const copy = await imported("copy.json", JSON.parse(await readFile(out, "utf8")));
    expect(copy).not.toBe(original);
    const reexported = await flowService.export({ db, userId: ada.user.id, workspaceId: ada.workspace.id, flowId: copy });
    expect(reexported.name).toBe("Doubler");
    expect(reexported.document.nodes).toEqual(exported.document.nodes);
  });

  it("runs the active version of a manual flow, prints the result, and lists the run", async () => {
    const flowId = await imported("doubling.json", { name: "Doubling", document: doublingFlow }, "--activate");
    const result = await cli("run", flowId, "--input", '{"n":2}', "--user", ada.user.email);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout) as { runId: string };
    expect(run).toEqual({
      runId: expect.any(String),
      status: "succeeded",
      version: 1,
      output: [{ result: 4 }],
      error: null,
      steps: [
        { node: "Start", type: "core.manual-trigger", status: "succeeded", durationMs: expect.any(Number) },
        { node: "Double", type: "core.set", status: "succeeded", durationMs: expect.any(Number) },
      ],
    });

    const runs = await cli("runs", flowId, "--user", ada.user.email);
    expect(runs.code).toBe(0);
    const [header, ...rows] = runs.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+STATUS\s+TRIGGER\s+STARTED \(UTC\)\s+DURATION$/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${run.runId}\\s+succeeded\\s+manual\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\d+ ms$`));

    const failedOnly = await cli("runs", flowId, "--user", ada.user.email, "--status", "failed");
    expect(failedOnly.stdout).toBe("No failed runs of this flow.\n");
  });

  it("lists the workspace's flows with their ids, whether each is active, and its live version", async () => {
    const cleo = await signInAs({ db: connection.db, name: "Cleo" });
    const as = ["--user", cleo.user.email];
    const empty = await cli("flows", ...as);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe(`No flows in workspace ${cleo.workspace.slug} yet.\n`);

    const importAs = async (name: string, ...options: string[]) => {
      const result = await cli("import", await file(`${name}.json`, { name, document: doublingFlow }), ...as, ...options);
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout) as { flowId: string }).flowId;
    };
    const live = await importAs("Live doubling", "--activate");
    const idle = await importAs("Idle doubling");

    const listed = await cli("flows", ...as);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    const [header, ...rows] = listed.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+STATUS\s+LIVE VERSION\s+VERSIONS\s+NAME$/);
    // Newest change first.
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^${idle}\\s+inactive\\s+-\\s+1\\s+Idle doubling$`));
    expect(rows[1]).toMatch(new RegExp(`^${live}\\s+active\\s+1\\s+1\\s+Live doubling$`));

    // Another member's view of the same workspace, named by --workspace; an outsider's is refused.
    const byWorkspace = await cli("flows", "--workspace", cleo.workspace.slug);
    expect(byWorkspace.stdout).toBe(listed.stdout);
    const outsider = await cli("flows", "--user", bob.user.email, "--workspace", cleo.workspace.slug);
    expect(outsider.code).toBe(1);
    expect(outsider.stdout).toBe("");
    expect(outsider.stderr).toContain("not found");

    const extra = await cli("flows", live, ...as);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toContain("flows takes no operand; unexpected: " + live);
  });

  it("runs a draft with --draft, and refuses to run an inactive flow without it", async () => {
    const flowId = await imported("draft-only.json", doublingFlow);
    const inactive = await cli("run", flowId, "--input", '{"n":5}', "--user", ada.user.email);
    expect(inactive.code).toBe(1);
    expect(inactive.stderr).toContain("The flow is not active");

    const draft = await cli("run", flowId, "--input", '[{"n":5},{"n":6}]', "--draft", "--user", ada.user.email);
    expect(draft.code).toBe(0);
    expect(JSON.parse(draft.stdout)).toMatchObject({ status: "succeeded", version: null, output: [{ result: 10 }, { result: 12 }] });
  });

  it("refuses --input that is not JSON, saying so, before starting a run", async () => {
    const flowId = await imported("strict.json", doublingFlow);
    const result = await cli("run", flowId, "--draft", "--input", "{n: 2}", "--user", ada.user.email);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^--input: not valid JSON \(.+\); pass one item's JSON such as '\{"n":2\}', or a list of them$/m);
    expect(await connection.db.run.count({ where: { flowId } })).toBe(0);
  });

  it("does not let a user outside the workspace export its flow", async () => {
    const flowId = await imported("private.json", doublingFlow);
    const result = await cli("export", flowId, "--user", bob.user.email);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`Flow "${flowId}" not found`);
  });

  it("verifies a workspace's audit log, and names the event changed or deleted in SQL", async () => {
    const workspace = await ada.caller.workspace.create({ name: `Audited ${randomBytes(3).toString("hex")}` });
    for (const name of ["one", "two", "three"]) await ada.caller.flow.create({ workspaceId: workspace.id, name });
    const intact = await cli("audit", "verify", "--workspace", workspace.slug, "--user", ada.user.email);
    expect(intact).toMatchObject({ code: 0, stderr: "" });
    expect(intact.stdout).toBe(`The audit log of ${workspace.slug} is intact: 4 events checked.\n`);

    await connection.db.$executeRaw`UPDATE "AuditEvent" SET "data" = '{"name":"renamed"}' WHERE "workspaceId" = ${workspace.id} AND "seq" = 3`;
    const edited = await cli("audit", "verify", "--workspace", workspace.slug, "--user", ada.user.email);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(new RegExp(`^The audit log of ${workspace.slug} was tampered with: event 3 \\(flow.create\\) was changed after it was written \\(id \\w+\\)\\.\n$`));

    await connection.db.$executeRaw`DELETE FROM "AuditEvent" WHERE "workspaceId" = ${workspace.id} AND "seq" = 3`;
    const deleted = await cli("audit", "verify", "--workspace", workspace.slug, "--user", ada.user.email);
    expect(deleted.code).toBe(1);
    expect(deleted.stdout).toContain("event 3 is missing: the chain jumps from 2 to 4");

    const stranger = await cli("audit", "verify", "--workspace", workspace.slug, "--user", bob.user.email);
    expect(stranger.code).toBe(1);
    expect(stranger.stdout).toBe("");
    const noWorkspace = await cli("audit", "verify", "--user", ada.user.email);
    expect(noWorkspace.stderr).toContain("name the workspace whose audit log to check: --workspace <slug>");
    const noAction = await cli("audit", "--workspace", workspace.slug);
    expect(noAction.stderr).toContain("audit needs an action");
  });

  it("verifies the instance's own audit log for an instance administrator", async () => {
    // Ada signed in first, so she administers the instance; Bob does not.
    const intact = await cli("audit", "verify", "--instance");
    expect(intact).toMatchObject({ code: 0, stderr: "" });
    expect(intact.stdout).toMatch(/^The audit log of the instance is intact: \d+ events checked\.\n$/);
    const refused = await cli("audit", "verify", "--instance", "--user", bob.user.email);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("This needs an administrator of this Streamware instance");
    const both = await cli("audit", "verify", "--instance", "--workspace", "anything", "--user", ada.user.email);
    expect(both.stderr).toContain("or check the instance's own with --instance (not both)");

    await connection.db.$executeRaw`UPDATE "AuditEvent" SET "data" = '{"provider":"forged"}' WHERE "chain" = 'instance' AND "seq" = 1`;
    const edited = await cli("audit", "verify", "--instance", "--user", ada.user.email);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/^The audit log of the instance was tampered with: event 1 \(user.create\) was changed after it was written/);
  });

  it("imports an n8n export: one flow per workflow, the report printed, a workflow that cannot run kept as a draft", async () => {
    const { db } = connection;
    const runnable = {
      name: "From n8n",
      nodes: [
        { id: "a1", name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} },
        { id: "a2", name: "Greet", type: "n8n-nodes-base.set", typeVersion: 3.4, position: [200, 0], parameters: { assignments: { assignments: [{ name: "hello", value: "={{ $json.name }}" }] } } },
      ],
      connections: { Start: { main: [[{ node: "Greet", type: "main", index: 0 }]] } },
    };
    const unfinished = {
      name: "Sheets sync",
      nodes: [{ id: "b1", name: "New row", type: "n8n-nodes-base.googleSheetsTrigger", typeVersion: 1, position: [0, 0], parameters: { sheet: "x" } }],
      connections: {},
    };
    const result = await cli("import", await file("n8n-export.json", [runnable, unfinished]), "--user", ada.user.email);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Imported from n8n: 2 flows");
    expect(result.stdout).toContain('placeholder "New row" (n8n-nodes-base.googleSheetsTrigger)');
    const printed = JSON.parse(result.stdout.slice(result.stdout.indexOf("\n["))) as { flowId: string; name: string; version: number | null; draftOnly?: string }[];
    expect(printed.map((p) => [p.name, p.version])).toEqual([
      ["From n8n", 1],
      ["Sheets sync", null],
    ]);
    expect(printed[1]?.draftOnly).toContain("no trigger");
    const scope = { db, userId: ada.user.id, workspaceId: ada.workspace.id };
    const stored = await flowService.getVersion({ ...scope, flowId: printed[0]!.flowId, number: 1 });
    expect((stored.document as { nodes: { config: unknown }[] }).nodes[1]?.config).toEqual({ fields: [{ name: "hello", value: "{{ $json.name }}" }], keepOnlySet: true, types: { hello: "string" } });
    expect(await flowService.listVersions({ ...scope, flowId: printed[1]!.flowId })).toEqual([]);

    const refused = await cli("import", await file("n8n-broken.json", { nodes: [{ name: "A", type: "n8n-nodes-base.noOp" }, { name: "A", type: "n8n-nodes-base.noOp" }], connections: {} }), "--user", ada.user.email);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nodes[1].name: two nodes are named "A"');
    expect(refused.stderr).toContain("Nothing was imported.");
  });

  it("imports a Node-RED export: a flow per tab and subflow, the subflow stored first and called by its id", async () => {
    const { db } = connection;
    const exported = [
      { id: "t1", type: "tab", label: "Lights" },
      { id: "sf", type: "subflow", name: "Double", in: [{ x: 40, y: 40, wires: [{ id: "s1" }] }], out: [{ x: 300, y: 40, wires: [{ id: "s1", port: 0 }] }] },
      { id: "s1", type: "change", z: "sf", name: "x2", x: 150, y: 40, rules: [{ t: "set", p: "payload", pt: "msg", to: "payload * 2", tot: "jsonata" }], wires: [[]] },
      { id: "a", type: "inject", z: "t1", name: "Go", x: 100, y: 80, props: [], repeat: "", crontab: "", wires: [["u"]] },
      { id: "u", type: "subflow:sf", z: "t1", x: 250, y: 80, wires: [["d"]] },
      { id: "d", type: "debug", z: "t1", name: "See", x: 400, y: 80, wires: [] },
    ];
    const result = await cli("import", await file("node-red-export.json", { flows: exported, rev: "1" }), "--user", ada.user.email);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Imported from Node-RED: 2 flows");
    const printed = JSON.parse(result.stdout.slice(result.stdout.indexOf("\n["))) as { flowId: string; name: string; version: number | null }[];
    expect(printed.map((p) => [p.name, p.version])).toEqual([
      ["Subflow: Double", 1],
      ["Lights", 1],
    ]);
    const scope = { db, userId: ada.user.id, workspaceId: ada.workspace.id };
    const lights = await flowService.getVersion({ ...scope, flowId: printed[1]!.flowId, number: 1 });
    const call = (lights.document as { nodes: { type: string; config: { flowId?: string } }[] }).nodes.find((n) => n.type === "core.execute-flow");
    expect(call?.config.flowId).toBe(printed[0]!.flowId);

    const refused = await cli("import", await file("node-red-broken.json", [{ id: "a", type: "inject", name: "Go", z: "t", wires: [["gone"]] }]), "--user", ada.user.email);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[0].wires[0][0]: "Go" is wired to "gone", which is not in the file');
    expect(refused.stderr).toContain("Nothing was imported.");
  });

  it("exports a workspace bundle and a version, previews an import with --dry-run, and resolves clashes with --on-conflict", async () => {
    const { db } = connection;
    const cleo = await signInAs({ db, name: "Cleo" });
    const as = ["--user", cleo.user.email];
    const orders = await cleo.caller.flow.create({ workspaceId: cleo.workspace.id, name: "Orders", document: webhookFlow("orders") });
    await cleo.caller.flow.saveVersion({ workspaceId: cleo.workspace.id, flowId: orders.id, document: webhookFlow("orders"), message: "v1" });

    const bundleFile = path.join(dir, "cleo.workspace.json");
    const bundle = await cli("export", "--workspace", cleo.workspace.slug, "--versions", "--out", bundleFile, ...as);
    expect(bundle.stderr).toBe(`Wrote ${bundleFile}\n`);
    expect(bundle.code).toBe(0);
    const text = await readFile(bundleFile, "utf8");
    expect(text).toBe((await cleo.caller.transfer.exportWorkspace({ workspaceId: cleo.workspace.id, includeVersions: true })).text);
    const version = await cli("export", orders.id, "--version", "1", ...as);
    expect(version.stdout).toBe((await cleo.caller.transfer.exportFlow({ workspaceId: cleo.workspace.id, flowId: orders.id, version: 1 })).text);
    expect((await cli("export", orders.id, "--versions", ...as)).stderr).toContain("--versions is for a workspace export");

    const dry = await cli("import", bundleFile, "--dry-run", ...as);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ ok: true, format: "streamware.workspace", flows: [{ key: orders.id, existing: { flowId: orders.id }, conflicts: [{ kind: "id" }, { kind: "name" }] }] });
    const refused = await cli("import", bundleFile, ...as);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Choose rename, replace or skip for "Orders" (This workspace already has this flow (same id)');
    expect(await db.flow.count({ where: { workspaceId: cleo.workspace.id } })).toBe(1);

    const renamed = await cli("import", bundleFile, "--on-conflict", "rename", ...as);
    expect(renamed.code).toBe(0);
    expect(JSON.parse(renamed.stdout)).toEqual([{ flowId: expect.any(String), name: "Orders (2)", workspace: cleo.workspace.slug, version: 1, active: false }]);
    const replaced = await cli("import", bundleFile, "--on-conflict", "replace", ...as);
    expect(JSON.parse(replaced.stdout)).toEqual([{ flowId: orders.id, name: "Orders", workspace: cleo.workspace.slug, action: "replaced", version: 2, active: false }]);
    const wrong = await cli("import", bundleFile, "--on-conflict", "merge", ...as);
    expect(wrong.stderr).toContain("--on-conflict: must be rename, replace or skip");
  });

  it("asks for --user when more than one user could act", async () => {
    const result = await cli("runs", "some-flow");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("pass --user <email>");
  });
});
