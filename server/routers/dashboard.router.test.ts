import { describe, expect, it } from "vitest";
import type { Widget } from "../../nodes/_core/dashboard";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { seriesService } from "../services/series-service";
import { addMember, rejection, signInAs } from "./test-helpers";

const stat: Widget = { id: "w1", kind: "stat", title: "Kitchen", series: ["kitchen temperature"], unit: "°C", layout: { x: 0, y: 0, w: 3, h: 2 } };
const chart: Widget = { id: "w2", kind: "timeseries", title: "All rooms", series: ["kitchen temperature", "hall temperature"], layout: { x: 3, y: 0, w: 9, h: 4 } };

describe.each(databaseKinds)("dashboard router on %s", (kind) => {
  const database = useTestDatabase(kind);

  it("creates, lists, reads, changes and deletes dashboards, each change audited", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Builder" });
    const workspaceId = workspace.id;
    const { id } = await caller.dashboard.create({ workspaceId, name: " Home ", description: "Rooms", widgets: [stat] });

    expect(await caller.dashboard.list({ workspaceId })).toEqual([{ id, name: "Home", description: "Rooms", widgetCount: 1, updatedAt: expect.any(Date) }]);
    expect(await caller.dashboard.get({ workspaceId, dashboardId: id })).toEqual({ id, name: "Home", description: "Rooms", widgets: [stat], updatedAt: expect.any(Date) });

    const updated = await caller.dashboard.update({ workspaceId, dashboardId: id, widgets: [stat, chart], description: null });
    expect(updated).toMatchObject({ id, name: "Home", description: null, widgets: [stat, chart] });
    expect(await caller.dashboard.update({ workspaceId, dashboardId: id, name: "House" })).toMatchObject({ name: "House", widgets: [stat, chart] });

    expect(await caller.dashboard.delete({ workspaceId, dashboardId: id })).toEqual({ id });
    expect(await caller.dashboard.list({ workspaceId })).toEqual([]);
    expect((await rejection(caller.dashboard.get({ workspaceId, dashboardId: id }))).code).toBe("NOT_FOUND");
    const actions = await db.auditEvent.findMany({ where: { workspaceId, targetType: "dashboard" }, select: { action: true }, orderBy: { seq: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["dashboard.create", "dashboard.update", "dashboard.update", "dashboard.delete"]);
  });

  it("refuses widgets that do not fit and ranges that cannot be read, naming what is wrong", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Sloppy" });
    const wide = await rejection(caller.dashboard.create({ workspaceId: workspace.id, name: "Wide", widgets: [{ ...stat, layout: { x: 0, y: 0, w: 20, h: 2 } }] }));
    expect(wide.code).toBe("BAD_REQUEST");
    expect(wide.message).toContain("A widget is at most 12 columns wide");
    const twice = await rejection(caller.dashboard.create({ workspaceId: workspace.id, name: "Twice", widgets: [stat, stat] }));
    expect(twice.message).toContain("Each widget of a dashboard needs its own id");
    const backwards = await rejection(caller.dashboard.points({ workspaceId: workspace.id, series: ["load"], from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" }));
    expect(backwards.message).toContain("from must come before to");
    const tooMany = await rejection(caller.dashboard.points({ workspaceId: workspace.id, series: ["load"], from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", maxPoints: 5000 }));
    expect(tooMany.message).toContain("maxPoints is at most 2000");
  });

  it("lets a viewer read dashboards and series but not change them", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Owner" });
    const viewer = await signInAs({ db, name: "Viewer" });
    const workspaceId = owner.workspace.id;
    await addMember({ db, by: owner.user, workspaceId, user: viewer.user, role: "viewer" });
    const { id } = await owner.caller.dashboard.create({ workspaceId, name: "Shared", widgets: [stat] });

    expect(await viewer.caller.dashboard.get({ workspaceId, dashboardId: id })).toMatchObject({ name: "Shared" });
    expect(await viewer.caller.dashboard.series({ workspaceId })).toEqual([]);
    for (const attempt of [
      () => viewer.caller.dashboard.create({ workspaceId, name: "Mine" }),
      () => viewer.caller.dashboard.update({ workspaceId, dashboardId: id, name: "Taken" }),
      () => viewer.caller.dashboard.delete({ workspaceId, dashboardId: id }),
    ]) {
      expect((await rejection(attempt())).code).toBe("FORBIDDEN");
    }
    expect(await owner.caller.dashboard.get({ workspaceId, dashboardId: id })).toMatchObject({ name: "Shared" });
  });

  it("answers another workspace's dashboard and series like missing ones", async () => {
    const { db } = database;
    const victim = await signInAs({ db, name: "Victim" });
    const intruder = await signInAs({ db, name: "Intruder" });
    const { id } = await victim.caller.dashboard.create({ workspaceId: victim.workspace.id, name: "Secret", widgets: [stat] });
    await seriesService.append({ db, points: [{ workspaceId: victim.workspace.id, series: "kitchen temperature", at: new Date(), value: 21, flowId: null, runId: null }] });

    // Through the intruder's own workspace the role check passes; the dashboard's own scoping stands.
    const own = intruder.workspace.id;
    // One at a time: a call started before the previous one is awaited could reject with nobody listening yet.
    for (const attempt of [
      () => intruder.caller.dashboard.get({ workspaceId: own, dashboardId: id }),
      () => intruder.caller.dashboard.update({ workspaceId: own, dashboardId: id, name: "Mine" }),
      () => intruder.caller.dashboard.delete({ workspaceId: own, dashboardId: id }),
    ]) {
      expect((await rejection(attempt())).code).toBe("NOT_FOUND");
    }
    expect(await intruder.caller.dashboard.series({ workspaceId: own })).toEqual([]);
    const hour = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    expect(await intruder.caller.dashboard.points({ workspaceId: own, series: ["kitchen temperature"], ...hour })).toEqual([{ series: "kitchen temperature", points: [] }]);
    expect((await rejection(intruder.caller.dashboard.list({ workspaceId: victim.workspace.id }))).code).toBe("NOT_FOUND");
    expect(await victim.caller.dashboard.get({ workspaceId: victim.workspace.id, dashboardId: id })).toMatchObject({ name: "Secret" });
    expect(await victim.caller.dashboard.points({ workspaceId: victim.workspace.id, series: ["kitchen temperature"], ...hour })).toEqual([
      { series: "kitchen temperature", points: [{ at: expect.any(Number), value: 21 }] },
    ]);
  });
});
