import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../runner/runtime";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { useTestDatabase } from "../db/test-databases";
import { startTestRuntime } from "../test-runtime";
import { rejection, signInAs } from "./test-helpers";

type Member = Awaited<ReturnType<typeof signInAs>>;

/** Manual trigger → "Stamp" (the time it ran, so a re-run of it shows) → "Call" (an API) → "Use" (Stamp's time). */
function apiFlow(url: string) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
      { id: "stamp", type: "core.set", name: "Stamp", position: { x: 200, y: 0 }, config: { fields: [{ name: "stampedAt", value: "{{ $millis() }}" }] } },
      { id: "call", type: "core.http-request", name: "Call", position: { x: 400, y: 0 }, config: { url } },
      { id: "use", type: "core.set", name: "Use", position: { x: 600, y: 0 }, config: { fields: [{ name: "stampedAt", value: "{{ $node.Stamp.json.stampedAt }}" }, { name: "answer", value: "{{ body.answer }}" }], keepOnlySet: true } },
    ],
    edges: [
      { id: "e1", source: "start", target: "stamp" },
      { id: "e2", source: "stamp", target: "call" },
      { id: "e3", source: "call", target: "use" },
    ],
  };
}

describe("workspace runs: filters, retry and bulk delete", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Member;
  let viewer: Member;
  let workspaceId: string;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    owner = await signInAs({ db: database.db, name: "Owner" });
    viewer = await signInAs({ db: database.db, name: "Viewer" });
    workspaceId = owner.workspace.id;
    await owner.caller.workspace.setMember({ workspaceId, email: viewer.user.email, role: "viewer" });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const finished = async (runId: string) => {
    await runtime.waitForRun(runId, 15_000);
    return owner.caller.run.get({ workspaceId, runId });
  };
  const stored = async (flowId: string, data: { trigger: string; status: "succeeded" | "failed" | "running"; queuedAt: Date }) =>
    (await database.db.run.create({ data: { workspaceId, flowId, ...data }, select: { id: true } })).id;

  it("filters the workspace's runs by flow, status, trigger and time, newest first, in pages", async () => {
    const a = (await owner.caller.flow.create({ workspaceId, name: "Filter A" })).id;
    const b = (await owner.caller.flow.create({ workspaceId, name: "Filter B" })).id;
    const day = (n: number) => new Date(Date.UTC(2026, 0, n, 12));
    const aOld = await stored(a, { trigger: "webhook", status: "succeeded", queuedAt: day(1) });
    const aFailed = await stored(a, { trigger: "schedule", status: "failed", queuedAt: day(2) });
    const bWebhook = await stored(b, { trigger: "webhook", status: "failed", queuedAt: day(3) });
    const ids = async (filter: Record<string, unknown>) => (await owner.caller.run.list({ workspaceId, from: day(1), to: day(4), ...filter })).runs.map((r) => r.id);

    expect(await ids({})).toEqual([bWebhook, aFailed, aOld]);
    expect(await ids({ flowId: a })).toEqual([aFailed, aOld]);
    expect(await ids({ status: "failed" })).toEqual([bWebhook, aFailed]);
    expect(await ids({ trigger: "webhook" })).toEqual([bWebhook, aOld]);
    expect(await ids({ from: day(2), to: day(3) })).toEqual([aFailed]);
    expect(await owner.caller.run.triggers({ workspaceId })).toEqual(expect.arrayContaining(["schedule", "webhook"]));

    const first = await owner.caller.run.list({ workspaceId, from: day(1), to: day(4), limit: 2 });
    expect(first.runs.map((r) => r.id)).toEqual([bWebhook, aFailed]);
    const second = await owner.caller.run.list({ workspaceId, from: day(1), to: day(4), limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ runs: [expect.objectContaining({ id: aOld })], nextCursor: null });
  });

  it("retries a failed run from its failed node on the stored output before it, or from the start", async () => {
    // An API that is down until it is told otherwise: what a person would wait out before retrying.
    let up = false;
    const api = createServer((_req, res) => {
      if (up) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ answer: 42 }));
      else res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: "down" }));
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/answer`;
      const flowId = (await owner.caller.flow.create({ workspaceId, name: "Flaky API", document: apiFlow(url) })).id;
      const { runId } = await owner.caller.run.start({ workspaceId, flowId, input: { order: 7 } });
      const failed = await finished(runId);
      expect(failed.status).toBe("failed");
      expect(failed.steps.find((s) => s.nodeId === "call")?.status).toBe("failed");
      const stamp = failed.steps.find((s) => s.nodeId === "stamp")!;

      // Viewers see runs but may not retry them.
      expect((await rejection(viewer.caller.run.retry({ workspaceId, runId, from: "failed" }))).code).toBe("FORBIDDEN");
      expect((await rejection(viewer.caller.run.retry({ workspaceId, runId, from: "start" }))).code).toBe("FORBIDDEN");

      up = true;
      const fromFailed = await finished((await owner.caller.run.retry({ workspaceId, runId, from: "failed" })).runId);
      expect(fromFailed).toMatchObject({ status: "succeeded", input: failed.input, trigger: "manual" });
      expect(fromFailed.id).not.toBe(runId);
      // The trigger and Stamp were not run again: their stored steps came over as they were, and fed the rest.
      expect(fromFailed.steps.find((s) => s.nodeId === "stamp")).toMatchObject({ status: "succeeded", output: stamp.output, startedAt: stamp.startedAt });
      const stampedAt = (stamp.output.items.out as { json: { stampedAt: number } }[])[0]!.json.stampedAt;
      expect(fromFailed.steps.find((s) => s.nodeId === "use")?.output.items.out).toEqual([{ json: { stampedAt, answer: 42 } }]);
      // The failed run stays as it was.
      expect((await owner.caller.run.get({ workspaceId, runId })).status).toBe("failed");

      const fromStart = await finished((await owner.caller.run.retry({ workspaceId, runId, from: "start" })).runId);
      expect(fromStart).toMatchObject({ status: "succeeded", input: failed.input });
      expect(fromStart.steps.find((s) => s.nodeId === "stamp")!.startedAt.getTime()).toBeGreaterThan(stamp.startedAt.getTime());

      // A run that succeeded has no failed node to start from.
      expect((await rejection(owner.caller.run.retry({ workspaceId, runId: fromStart.id, from: "failed" }))).message).toMatch(/Only a failed run can be retried from its failed node/);
    } finally {
      await new Promise((resolve) => api.close(resolve));
    }
  });

  it("deletes selected runs or all that match a filter, never unfinished ones, and not for viewers", async () => {
    const flowId = (await owner.caller.flow.create({ workspaceId, name: "Bulk" })).id;
    const when = new Date(Date.UTC(2025, 5, 1));
    const one = await stored(flowId, { trigger: "webhook", status: "succeeded", queuedAt: when });
    const two = await stored(flowId, { trigger: "webhook", status: "failed", queuedAt: when });
    const three = await stored(flowId, { trigger: "manual", status: "failed", queuedAt: when });
    const busy = await stored(flowId, { trigger: "webhook", status: "running", queuedAt: when });
    const left = async () => (await owner.caller.run.list({ workspaceId, flowId })).runs.map((r) => r.id).sort();

    expect((await rejection(viewer.caller.run.delete({ workspaceId, runIds: [one] }))).code).toBe("FORBIDDEN");
    expect((await rejection(viewer.caller.run.delete({ workspaceId, filter: { flowId } }))).code).toBe("FORBIDDEN");
    expect(await left()).toEqual([one, two, three, busy].sort());

    expect(await owner.caller.run.delete({ workspaceId, runIds: [one, busy] })).toEqual({ deleted: 1 });
    expect(await owner.caller.run.delete({ workspaceId, filter: { flowId, trigger: "webhook" } })).toEqual({ deleted: 1 });
    expect(await left()).toEqual([three, busy].sort());
  });

  it("never shows, retries or deletes another workspace's runs", async () => {
    const other = await signInAs({ db: database.db, name: "Other" });
    const theirFlow = (await other.caller.flow.create({ workspaceId: other.workspace.id, name: "Theirs" })).id;
    const theirs = (await database.db.run.create({ data: { workspaceId: other.workspace.id, flowId: theirFlow, trigger: "manual", status: "failed" }, select: { id: true } })).id;

    expect((await owner.caller.run.list({ workspaceId })).runs.map((r) => r.id)).not.toContain(theirs);
    expect((await owner.caller.run.list({ workspaceId, flowId: theirFlow })).runs).toEqual([]);
    expect((await rejection(owner.caller.run.retry({ workspaceId, runId: theirs, from: "start" }))).code).toBe("NOT_FOUND");
    expect(await owner.caller.run.delete({ workspaceId, runIds: [theirs] })).toEqual({ deleted: 0 });
    expect(await owner.caller.run.delete({ workspaceId, filter: { flowId: theirFlow } })).toEqual({ deleted: 0 });
    expect((await rejection(owner.caller.run.list({ workspaceId: other.workspace.id }))).code).toBe("NOT_FOUND");
    expect((await other.caller.run.list({ workspaceId: other.workspace.id })).runs.map((r) => r.id)).toEqual([theirs]);
  });
});
