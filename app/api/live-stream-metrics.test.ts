import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Widget } from "@/nodes/_core/dashboard";
import { FLOW_SCHEMA_TAG } from "@/nodes/_core/flow-document";
import { sample } from "@/runner/metrics-testing";
import type { Runtime } from "@/runner/runtime";
import { useTestDatabase } from "@/server/db/test-databases";
import { signInAs } from "@/server/routers/test-helpers";
import { CLIENT_IP_HEADER } from "@/server/services/audit-origin";
import { runService } from "@/server/services/run-service";
import { startTestRuntime } from "@/server/test-runtime";
import { runEventStream } from "./runs/[runId]/events/run-event-stream";
import { shareAnswers } from "./share/[token]/share-answers";
import { sharedRequest } from "./share/[token]/shared-request";

describe("the live-streams gauge", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const open = async (kind: "run" | "dashboard") => sample((await runtime.metrics.scrape()).body, "streamware_live_streams", { role: "web", kind });

  it("counts a shared dashboard's live viewers while they watch, and not once they leave", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Viewers" });
    const workspaceId = owner.workspace.id;
    const stat: Widget = { id: "w1", kind: "stat", title: "Load", series: ["load"], layout: { x: 0, y: 0, w: 3, h: 2 } };
    const { id: dashboardId } = await owner.caller.dashboard.create({ workspaceId, name: "Lobby", widgets: [stat] });
    const { token } = await owner.caller.dashboardShare.create({ workspaceId, dashboardId });
    const limiter = runtime.rateLimiter("share-viewers", { perSecond: 1, burst: 10 });
    const watch = async (signal: AbortSignal) => {
      const request = new Request(`http://localhost/api/share/${token}/live`, { headers: { [CLIENT_IP_HEADER]: "203.0.113.20" }, signal });
      const response = await sharedRequest({ db, request, token, answer: shareAnswers.live, limiter });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe(": live\n\n");
      return reader;
    };

    expect(await open("dashboard")).toBe(0);
    const closing = new AbortController();
    await watch(closing.signal);
    const leaving = await watch(new AbortController().signal);
    expect(await open("dashboard")).toBe(2);
    // A request aborted (the tab closed), and a client that stops reading.
    closing.abort();
    expect(await open("dashboard")).toBe(1);
    await leaving.cancel();
    expect(await open("dashboard")).toBe(0);
  });

  it("counts a run's live views while they are open, until the viewer leaves or the run ends", async () => {
    const { db } = database;
    const { caller, workspace, user } = await signInAs({ db, name: "Watcher" });
    const workspaceId = workspace.id;
    const flow = await caller.flow.create({
      workspaceId,
      name: "Slow",
      document: {
        schema: FLOW_SCHEMA_TAG,
        nodes: [
          { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
          { id: "wait", name: "Wait", type: "core.delay", position: { x: 200, y: 0 }, config: { ms: 2000 } },
        ],
        edges: [{ id: "e1", source: "start", target: "wait" }],
      },
    });
    const { runId } = await caller.run.start({ workspaceId, flowId: flow.id });
    const snapshot = await runService.get({ db, userId: user.id, workspaceId, runId });
    expect(snapshot.status).not.toBe("succeeded");
    // As the run events route opens it.
    const view = (signal: AbortSignal) =>
      runEventStream({
        events: runtime.events,
        runId,
        snapshot,
        storedEnd: () => runService.status({ db, runId }),
        keepWatching: () => {},
        signal,
        counted: () => runtime.metrics.streamOpened("run"),
      });

    const leaving = new AbortController();
    view(leaving.signal);
    const staying = view(new AbortController().signal);
    expect(await open("run")).toBe(2);
    leaving.abort();
    expect(await open("run")).toBe(1);
    // The stream ends with the run, and is no longer counted.
    expect(await new Response(staying).text()).toContain("event: run.finished");
    expect(await open("run")).toBe(0);
    expect(await open("dashboard")).toBe(0);
  });
});
