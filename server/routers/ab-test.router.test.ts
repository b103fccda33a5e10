import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPoint, variantAt } from "../../nodes/ab-split/assignment";
import type { Runtime } from "../../runner/runtime";
import { startTestRuntime, serveWebhooks, type WebhookServer } from "../test-runtime";
import { useTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { experimentStore } from "../services/ab-test-service";
import { compareProportions } from "../services/ab-test-statistics";
import { addMember, rejection, signInAs } from "./test-helpers";

type Member = Awaited<ReturnType<typeof signInAs>>;

const variants = [
  { name: "control", weight: 50 },
  { name: "green", weight: 50 },
];

/** A shop: visits go through the split to a page per variant; purchases reach the goal node. */
function shopFlow(suffix: string) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "visit", name: "Visit", type: "core.webhook", position: { x: 0, y: 0 }, config: { path: `visit-${suffix}`, respond: "lastNode" } },
      { id: "split", name: "Split", type: "ab.split", position: { x: 200, y: 0 }, config: { experiment: "checkout", key: "{{ body.userId }}", variants } },
      { id: "plain", name: "Plain", type: "core.set", position: { x: 400, y: 0 }, config: { fields: [{ name: "page", value: "plain" }] } },
      { id: "bright", name: "Bright", type: "core.set", position: { x: 400, y: 100 }, config: { fields: [{ name: "page", value: "bright" }] } },
      { id: "buy", name: "Buy", type: "core.webhook", position: { x: 0, y: 300 }, config: { path: `buy-${suffix}`, respond: "lastNode" } },
      { id: "goal", name: "Goal", type: "ab.goal", position: { x: 200, y: 300 }, config: { experiment: "checkout", key: "{{ body.userId }}" } },
    ],
    edges: [
      { id: "e1", source: "visit", target: "split" },
      { id: "e2", source: "split", sourcePort: "control", target: "plain" },
      { id: "e3", source: "split", sourcePort: "green", target: "bright" },
      { id: "e4", source: "buy", target: "goal" },
    ],
  };
}

const variantOf = (key: string) => variantAt({ variants, point: hashPoint({ experiment: "checkout", key }) });

describe("A/B tests end to end: webhook → split → variants, goal → results", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let server: WebhookServer;
  let base: string;
  let owner: Member;
  let viewer: Member;
  let stranger: Member;
  let flowId: string;
  let workspaceId: string;

  beforeAll(async () => {
    const db = database.db;
    runtime = await startTestRuntime({ db });
    server = await serveWebhooks(runtime);
    base = server.url;

    owner = await signInAs({ db, name: "Owner" });
    viewer = await signInAs({ db, name: "Viewer" });
    stranger = await signInAs({ db, name: "Stranger" });
    workspaceId = owner.workspace.id;
    await addMember({ db: database.db, by: owner.user, workspaceId, user: viewer.user, role: "viewer" });
    const document = shopFlow(workspaceId);
    flowId = (await owner.caller.flow.create({ workspaceId, name: "Shop", document })).id;
    await owner.caller.flow.saveVersion({ workspaceId, flowId, document, message: "v1" });
    await owner.caller.flow.activate({ workspaceId, flowId });
  });
  afterAll(async () => {
    await server?.close();
    await runtime?.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}/hooks/${owner.workspace.slug}/${path}-${workspaceId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as { page?: string; ab: Record<string, unknown> };
  };

  it("splits visitors by their hashed variant, counts conversions once, and reports the comparison", async () => {
    const visitors = Array.from({ length: 120 }, (_, i) => `user-${i}`);
    for (const userId of visitors) {
      const answer = await post("visit", { userId });
      const variant = variantOf(userId);
      expect(answer).toMatchObject({ body: { userId }, page: variant === "control" ? "plain" : "bright" });
      expect(answer.ab).toEqual({ experiment: "checkout", variant, key: userId });
    }
    // Repeat visits change nothing.
    for (const userId of visitors.slice(0, 10)) expect((await post("visit", { userId })).ab.variant).toBe(variantOf(userId));

    // Every third control visitor buys, every second green one; one buys twice; a stranger's purchase counts for nothing.
    const buyers = visitors.filter((key, i) => (variantOf(key) === "control" ? i % 3 === 0 : i % 2 === 0));
    for (const userId of buyers) expect((await post("buy", { userId })).ab).toEqual({ experiment: "checkout", key: userId, variant: variantOf(userId), counted: true });
    expect((await post("buy", { userId: buyers[0] })).ab).toMatchObject({ counted: false });
    expect((await post("buy", { userId: "walk-in" })).ab).toEqual({ experiment: "checkout", key: "walk-in", variant: null, counted: false });

    const count = (variant: string, list: string[]) => list.filter((key) => variantOf(key) === variant).length;
    const control = { exposures: count("control", visitors), conversions: count("control", buyers) };
    const green = { exposures: count("green", visitors), conversions: count("green", buyers) };
    expect(control.exposures + green.exposures).toBe(120);

    const [result] = await viewer.caller.abTest.results({ workspaceId, flowId });
    expect(result).toMatchObject({ experiment: "checkout", control: "control", confidence: 0.95 });
    expect(result!.variants).toEqual([
      { name: "control", weight: 50, control: true, ...control, rate: control.conversions / control.exposures, difference: null, lift: null, z: null, pValue: null, interval: null, significant: false },
      { name: "green", weight: 50, control: false, ...green, rate: green.conversions / green.exposures, ...compareProportions({ control, variant: green, confidence: 0.95 }) },
    ]);
    const { variants: [, atNinety] } = (await viewer.caller.abTest.results({ workspaceId, flowId, experiment: "checkout", confidence: 0.9 }))[0]!;
    expect(atNinety).toMatchObject(compareProportions({ control, variant: green, confidence: 0.9 }));

    // The workspace's experiments page reads the same analysis for every flow, with the flow's name.
    const overview = await viewer.caller.abTest.overview({ workspaceId, confidence: 0.9 });
    expect(overview).toEqual([{ ...(await viewer.caller.abTest.results({ workspaceId, flowId, confidence: 0.9 }))[0]!, flowId, flowName: expect.any(String) }]);
  });

  it("records conversions through the API for editors only, once per key", async () => {
    const key = "user-1";
    const before = (await owner.caller.abTest.results({ workspaceId, flowId, experiment: "checkout" }))[0]!;
    const forbidden = await rejection(viewer.caller.abTest.convert({ workspaceId, flowId, experiment: "checkout", keys: [key] }));
    expect(forbidden.code).toBe("FORBIDDEN");

    const outcomes = await owner.caller.abTest.convert({ workspaceId, flowId, experiment: "checkout", keys: [key, key, "user-3", "nobody"] });
    // user-1 bought nothing above (odd, and not a multiple of 3); user-3 bought if it saw the control.
    expect(outcomes).toEqual([
      { key, variant: variantOf(key), counted: true },
      { key, variant: variantOf(key), counted: false },
      { key: "user-3", variant: variantOf("user-3"), counted: variantOf("user-3") === "green" },
      { key: "nobody", variant: null, counted: false },
    ]);
    const after = (await owner.caller.abTest.results({ workspaceId, flowId, experiment: "checkout" }))[0]!;
    const added = outcomes.filter((o) => o.counted).length;
    expect(after.variants.reduce((n, v) => n + v.conversions, 0)).toBe(before.variants.reduce((n, v) => n + v.conversions, 0) + added);
    const audit = await database.db.auditEvent.findMany({ where: { workspaceId, action: "abTest.convert" }, select: { actorId: true, data: true } });
    expect(audit).toEqual([{ actorId: owner.user.id, data: { experiment: "checkout", keys: 4, counted: added } }]);

    const unknown = await rejection(owner.caller.abTest.convert({ workspaceId, flowId, experiment: "checkuot", keys: [key] }));
    expect({ code: unknown.code, message: unknown.message }).toEqual({ code: "NOT_FOUND", message: 'This flow has no experiment "checkuot"; it appears once its A/B split node has run' });
    const empty = await rejection(owner.caller.abTest.convert({ workspaceId, flowId, experiment: "checkout", keys: [] }));
    expect(empty.code).toBe("BAD_REQUEST");
  });

  it("keeps another workspace out: nothing read, nothing converted, nothing reset", async () => {
    const before = await owner.caller.abTest.results({ workspaceId, flowId });
    const own = stranger.workspace.id;
    const attempts = [
      () => stranger.caller.abTest.results({ workspaceId, flowId }),
      () => stranger.caller.abTest.convert({ workspaceId, flowId, experiment: "checkout", keys: ["user-5", "user-7"] }),
      () => stranger.caller.abTest.reset({ workspaceId, flowId, experiment: "checkout" }),
      () => stranger.caller.abTest.results({ workspaceId: own, flowId }),
      () => stranger.caller.abTest.convert({ workspaceId: own, flowId, experiment: "checkout", keys: ["user-5", "user-7"] }),
      () => stranger.caller.abTest.reset({ workspaceId: own, flowId, experiment: "checkout" }),
    ];
    for (const attempt of attempts) expect((await rejection(attempt())).code).toBe("NOT_FOUND");
    expect(await owner.caller.abTest.results({ workspaceId, flowId })).toEqual(before);
  });

  it("resets an experiment for editors: counts and assignments go, the next visit starts it afresh", async () => {
    expect((await rejection(viewer.caller.abTest.reset({ workspaceId, flowId, experiment: "checkout" }))).code).toBe("FORBIDDEN");
    expect(await owner.caller.abTest.reset({ workspaceId, flowId, experiment: "checkout" })).toEqual({ experiment: "checkout" });
    expect(await owner.caller.abTest.results({ workspaceId, flowId })).toEqual([]);
    expect(await database.db.abAssignment.count({ where: { flowId } })).toBe(0);
    expect((await rejection(owner.caller.abTest.results({ workspaceId, flowId, experiment: "checkout" }))).code).toBe("NOT_FOUND");

    await post("visit", { userId: "user-0" });
    const [fresh] = await owner.caller.abTest.results({ workspaceId, flowId });
    expect(fresh!.variants.map((v) => [v.name, v.exposures, v.conversions])).toEqual(
      variantOf("user-0") === "control" ? [["control", 1, 0], ["green", 0, 0]] : [["control", 0, 0], ["green", 1, 0]],
    );
  });
});

describe("abTest procedures on embedded PGlite", () => {
  const database = useTestDatabase("pglite");

  it("converts, reports and resets through the same SQL as on PostgreSQL", async () => {
    const db = database.db;
    const owner = await signInAs({ db, name: "Owner" });
    const workspaceId = owner.workspace.id;
    const flowId = (await owner.caller.flow.create({ workspaceId, name: "Embedded shop" })).id;
    const store = experimentStore({ db, workspaceId, flowId });
    const entries = ["a-1", "a-2", "b-1"].map((key) => ({ key, proposed: key.startsWith("a") ? "control" : "green" }));
    expect(await store.assign({ experiment: "checkout", variants, control: "control", entries })).toEqual(["control", "control", "green"]);

    expect(await owner.caller.abTest.convert({ workspaceId, flowId, experiment: "checkout", keys: ["a-1", "a-1", "b-2"] })).toEqual([
      { key: "a-1", variant: "control", counted: true },
      { key: "a-1", variant: "control", counted: false },
      { key: "b-2", variant: null, counted: false },
    ]);
    const [result] = await owner.caller.abTest.results({ workspaceId, flowId });
    expect(result!.variants.map((v) => [v.name, v.exposures, v.conversions, v.rate])).toEqual([
      ["control", 2, 1, 0.5],
      ["green", 1, 0, 0],
    ]);
    await owner.caller.abTest.reset({ workspaceId, flowId, experiment: "checkout" });
    expect(await owner.caller.abTest.results({ workspaceId, flowId })).toEqual([]);
  });
});
