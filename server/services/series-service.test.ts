import pino from "pino";
import { describe, expect, it } from "vitest";
import { pruneSeries } from "../../runner/maintenance";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { signInAs } from "../routers/test-helpers";
import { runnerStorage } from "../runner-storage";
import { seriesService } from "./series-service";

const point = (workspaceId: string, series: string, at: number, value: number | null, data?: unknown) => ({ workspaceId, series, at: new Date(at), value, data, flowId: null, runId: null });

describe.each(databaseKinds)("series points on %s", (kind) => {
  const database = useTestDatabase(kind);

  it("gives a range's points in time order, and averages a range holding more than maxPoints into buckets", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Charts" });
    const workspaceId = workspace.id;
    // Recent, so the retention test beside this one keeps them.
    const start = Date.now() - 3_600_000;
    // Written out of order: 100 points a second apart with values 0..99, and two JSON points in another series.
    const dense = Array.from({ length: 100 }, (_, i) => point(workspaceId, "load", start + i * 1000, i)).reverse();
    await seriesService.append({ db, points: dense });
    await seriesService.append({
      db,
      points: [point(workspaceId, "status", start + 5000, null, { state: "ok" }), point(workspaceId, "status", start + 1000, 3.5, undefined)],
    });
    const range = { workspaceId, from: new Date(start).toISOString(), to: new Date(start + 100_000).toISOString() };

    const [whole] = await caller.dashboard.points({ ...range, series: ["load"], maxPoints: 100 });
    expect(whole!.points.map((p) => p.value)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(whole!.points.map((p) => p.at)).toEqual(Array.from({ length: 100 }, (_, i) => start + i * 1000));

    // 100 s over 10 points: 10-second buckets from the range's start, each the average of its ten values.
    const [buckets, status] = await caller.dashboard.points({ ...range, series: ["load", "status"], maxPoints: 10 });
    expect(buckets!.points).toEqual(Array.from({ length: 10 }, (_, b) => ({ at: start + b * 10_000, value: b * 10 + 4.5 })));
    expect(status).toEqual({ series: "status", points: [{ at: start + 1000, value: 3.5 }, { at: start + 5000, value: null, data: { state: "ok" } }] });

    // Only the range asked for.
    const [late] = await caller.dashboard.points({ ...range, from: new Date(start + 95_000).toISOString(), series: ["load"] });
    expect(late!.points.map((p) => p.value)).toEqual([95, 96, 97, 98, 99]);

    expect(await caller.dashboard.series({ workspaceId })).toEqual([
      { series: "load", unit: null, points: 100, lastAt: start + 99_000, last: { value: 99, data: null } },
      { series: "status", unit: null, points: 2, lastAt: start + 5000, last: { value: null, data: { state: "ok" } } },
    ]);
  });

  it("deletes points older than their workspace keeps them, and no other", async () => {
    const { db } = database;
    const brief = (await signInAs({ db, name: "Brief" })).workspace.id;
    const lasting = (await signInAs({ db, name: "Lasting" })).workspace.id;
    await db.workspace.update({ where: { id: brief }, data: { seriesRetentionDays: 1 } });
    const day = 86_400_000;
    const now = Date.now();
    for (const workspaceId of [brief, lasting]) {
      await seriesService.append({ db, points: [point(workspaceId, "t", now - 2 * day, 1), point(workspaceId, "t", now - 60_000, 2)] });
    }
    expect(await pruneSeries({ series: runnerStorage({ db }).series, logger: pino({ level: "silent" }) })).toBe(1);
    const left = await db.seriesPoint.findMany({ where: { workspaceId: { in: [brief, lasting] } }, select: { workspaceId: true, value: true }, orderBy: [{ workspaceId: "asc" }, { at: "asc" }] });
    expect(left.filter((p) => p.workspaceId === brief).map((p) => p.value)).toEqual([2]);
    expect(left.filter((p) => p.workspaceId === lasting).map((p) => p.value)).toEqual([1, 2]);
  });
});
