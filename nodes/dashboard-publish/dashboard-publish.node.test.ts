import { describe, expect, it } from "vitest";
import type { SeriesPointEvent } from "../_core/dashboard";
import { LocalEventBus } from "../../runner/events";
import { failure, runNode } from "../../runner/node-testing";
import { seriesWriter } from "../../runner/series";
import { databaseKinds, useTestDatabase } from "../../server/db/test-databases";
import { signInAs } from "../../server/routers/test-helpers";
import { runnerStorage } from "../../server/runner-storage";
import { dashboardPublishNode } from "./dashboard-publish.node";

describe.each(databaseKinds)("dashboard.publish on %s", (kind) => {
  const database = useTestDatabase(kind);

  async function setUp() {
    const { db } = database;
    const { workspace } = await signInAs({ db, name: "Publisher" });
    const events = new LocalEventBus();
    const heard: SeriesPointEvent[] = [];
    events.subscribePoints(workspace.id, (point) => heard.push(point));
    const run = { id: "run-1", workspaceId: workspace.id, flowId: "flow-1" };
    const series = seriesWriter({ store: runnerStorage({ db }).series, events, run });
    const stored = () =>
      db.seriesPoint.findMany({
        where: { workspaceId: workspace.id },
        select: { series: true, value: true, data: true, unit: true, labels: true, flowId: true, runId: true },
        orderBy: { id: "asc" },
      });
    return { workspaceId: workspace.id, series, heard, stored };
  }

  it("writes a point per item, numbers as values and anything else as JSON, sends each live, and passes the items on", async () => {
    const { workspaceId, series, heard, stored } = await setUp();
    const input = [{ json: { room: "kitchen", reading: 21.5 } }, { json: { room: "hall", reading: { state: "door open" } } }];
    const { items } = await runNode(dashboardPublishNode, {
      config: { series: "{{ room }} temperature", value: "{{ reading }}", unit: "°C", labels: [{ name: "room", value: "{{ room }}" }] },
      input,
      series,
    });

    expect(items).toEqual(input);
    expect(await stored()).toEqual([
      { series: "kitchen temperature", value: 21.5, data: null, unit: "°C", labels: { room: "kitchen" }, flowId: "flow-1", runId: "run-1" },
      { series: "hall temperature", value: null, data: { state: "door open" }, unit: "°C", labels: { room: "hall" }, flowId: "flow-1", runId: "run-1" },
    ]);
    expect(heard).toEqual([
      { workspaceId, series: "kitchen temperature", at: expect.any(Number), value: 21.5, data: null },
      { workspaceId, series: "hall temperature", at: expect.any(Number), value: null, data: { state: "door open" } },
    ]);
  });

  it("fails on an empty value or a bad series name, naming the item, and writes nothing", async () => {
    const { series, heard, stored } = await setUp();
    const empty = await failure(runNode(dashboardPublishNode, { config: { series: "load", value: "{{ missing }}" }, input: [{ json: { other: 1 } }], series }));
    expect(empty.message).toBe('Node "Publish to dashboard": the value is empty for item 0; check that its expression names a field the item has');
    const badName = await failure(runNode(dashboardPublishNode, { config: { series: "load;drop", value: 1 }, input: [{ json: {} }], series }));
    expect(badName.message).toContain("A series name may hold letters, digits, spaces and . _ - / only");
    expect(await stored()).toEqual([]);
    expect(heard).toEqual([]);
  });
});
