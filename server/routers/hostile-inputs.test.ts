import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { createContextInner } from "../context";
import { useTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { appRouter } from "./_app";
import { rejection, secretBox, signInAs } from "./test-helpers";

/** A flow document whose one node's config nests `depth` levels below `config.a`. */
function deepDocument(depth: number) {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = { a: value };
  return { schema: FLOW_SCHEMA_TAG, nodes: [{ id: "m", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 }, config: value as Record<string, unknown> }], edges: [] };
}

const issuesOf = (err: { cause?: unknown }) => ((err.cause as { details?: { issues?: { path: string; message: string }[] } }).details?.issues ?? []);

/** Shapes a hostile caller sends the API: refused with what was wrong and where, never a 500, nothing stored. */
describe("hostile inputs to the API, on PostgreSQL", () => {
  const database = useTestDatabase("postgres");

  it.each(["saveDraft", "saveVersion"] as const)("%s refuses a document nested 5,000 levels, naming the limit and where", async (procedure) => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Deep" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Deep" });
    const err = await rejection(caller.flow[procedure]({ workspaceId: workspace.id, flowId: flow.id, document: deepDocument(5000) }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/^The request nests deeper than 116 levels \(at input\.document\.nodes\[0\]\.config\.a.*\); flatten it, or raise JSON_MAX_DEPTH/);
    expect((await caller.flow.get({ workspaceId: workspace.id, flowId: flow.id })).draft.nodes).toEqual([]);
  });

  it("refuses a deep request over HTTP before superjson reads it: 400 with the limit and where, not a 500", async () => {
    const { user, caller, workspace } = await signInAs({ db: database.db, name: "Http" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Http" });
    // Written by hand: JSON.stringify itself overflows at this depth.
    const config = `${'{"a":'.repeat(5000)}"leaf"${"}".repeat(5000)}`;
    const node = `{"id":"m","type":"core.manual-trigger","name":"Start","position":{"x":0,"y":0},"config":${config}}`;
    const body = `{"json":{"workspaceId":"${workspace.id}","flowId":"${flow.id}","document":{"schema":"${FLOW_SCHEMA_TAG}","nodes":[${node}],"edges":[]}}}`;
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request("http://localhost/api/trpc/flow.saveDraft", { method: "POST", headers: { "content-type": "application/json" }, body }),
      router: appRouter,
      createContext: () => createContextInner({ db: database.db, user, secretBox }),
    });
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: { json: { message: string } } };
    expect(answer.error.json.message).toMatch(/^The request nests deeper than 116 levels \(at input\.json\.document\.nodes\[0\]\.config\.a/);
  });

  it("refuses a document deeper than the limit for flow documents, with the path of the problem", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Deeper" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Deeper" });
    // nodes → [0] → config → 106 levels of `a` → 109 levels, over the document's 108 but within a request's 116.
    const err = await rejection(caller.flow.saveVersion({ workspaceId: workspace.id, flowId: flow.id, document: deepDocument(106), message: "" }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(issuesOf(err)).toEqual([
      { path: expect.stringMatching(/^nodes\[0\]\.config\.a\.a\.a.*\.a$/) as string, message: "nests deeper than 108 levels, the limit for flow documents (JSON_MAX_DEPTH + 8); flatten it" },
    ]);
    expect(await database.db.flowVersion.count({ where: { flowId: flow.id } })).toBe(0);
    await caller.flow.saveVersion({ workspaceId: workspace.id, flowId: flow.id, document: deepDocument(100), message: "" });
  });

  it("refuses a document holding a NUL or a lone surrogate, naming where", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Nuldoc" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Nuldoc" });
    const document = { ...deepDocument(1), nodes: [{ ...deepDocument(1).nodes[0]!, name: "Sta\u0000rt" }] };
    const err = await rejection(caller.flow.saveDraft({ workspaceId: workspace.id, flowId: flow.id, document }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(issuesOf(err)).toEqual([{ path: "nodes[0].name", message: "holds a NUL character (U+0000), which cannot be stored; remove it" }]);
    const surrogate = { ...deepDocument(1), nodes: [{ ...deepDocument(1).nodes[0]!, config: { note: "\uD800" } }] };
    expect(issuesOf(await rejection(caller.flow.saveDraft({ workspaceId: workspace.id, flowId: flow.id, document: surrogate })))).toEqual([
      { path: "nodes[0].config.note", message: "holds a lone surrogate (U+D800), which cannot be stored; remove it" },
    ]);
  });

  it("refuses names with a NUL or control characters with words on the field, for flows, credentials and workspaces", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Names" });
    const expectNameRefused = async (call: Promise<unknown>) => {
      const err = await rejection(call);
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toContain("Name cannot contain control characters (such as NUL) or broken Unicode; remove them");
    };
    await expectNameRefused(caller.flow.create({ workspaceId: workspace.id, name: "a\u0000b" }));
    await expectNameRefused(caller.credential.create({ workspaceId: workspace.id, name: "key\u0000", type: "webhook.secret", data: { secret: "0123456789abcdef" } }));
    await expectNameRefused(caller.workspace.create({ name: "team\uD800" }));
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Fine" });
    await expectNameRefused(caller.flow.rename({ workspaceId: workspace.id, flowId: flow.id, name: "line\nbreak" }));
    expect(await database.db.flow.count({ where: { workspaceId: workspace.id } })).toBe(1);
  });

  it("answers an id holding a NUL as the caller's mistake, naming where, not as a server error", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Ids" });
    const err = await rejection(caller.flow.get({ workspaceId: workspace.id, flowId: "flow\u0000" }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toBe("The request holds a NUL character (U+0000) at input.flowId, which cannot be stored; remove it.");
  });

  it("refuses a manual run's input nested deeper than JSON_MAX_DEPTH", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Input" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Input", document: deepDocument(1) });
    let input: unknown = 1;
    for (let i = 0; i < 102; i++) input = [input];
    const err = await rejection(caller.run.start({ workspaceId: workspace.id, flowId: flow.id, input: { deep: input } }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/^The run's input nests deeper than 100 levels \(at input\.deep\[0\].*\); flatten it, or raise JSON_MAX_DEPTH\.$/);
    expect(await database.db.run.count({ where: { flowId: flow.id } })).toBe(0);
  });
});
