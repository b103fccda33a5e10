import type { Db } from "../db";
import { rawSql } from "../db/raw";
import { Prisma } from "../db/generated/client";
import { bucketWidthMs, type SeriesPoints } from "../../nodes/_core/dashboard";
import type { SeriesPointRow } from "../../runner/ports";
import { auditService } from "./audit-service";

/** A series of a workspace as the dashboards list it: how many points it holds and its latest one. */
export interface SeriesSummary {
  series: string;
  unit: string | null;
  points: number;
  lastAt: number;
  last: { value: number | null; data: unknown };
}

/** Series listed per workspace, at most. */
const MAX_LISTED_SERIES = 500;

/** Times as stored (UTC without a zone) in ms, and ISO times given as parameters read back as such. */
const msOf = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;
const utcParam = (index: number) => `($${index}::timestamptz AT TIME ZONE 'UTC')`;

const seriesSql = `
SELECT s."series", s."points", l."unit", l."value", l."data", ${msOf(`l."at"`)} AS "lastAt"
FROM (
  SELECT "series", count(*)::int AS "points" FROM "SeriesPoint" WHERE "workspaceId" = $1 GROUP BY "series" ORDER BY "series" LIMIT ${MAX_LISTED_SERIES}
) AS s
CROSS JOIN LATERAL (
  SELECT "unit", "value", "data", "at" FROM "SeriesPoint" AS p
  WHERE p."workspaceId" = $1 AND p."series" = s."series" ORDER BY p."at" DESC, p."id" DESC LIMIT 1
) AS l
ORDER BY s."series"`;

const inRange = `"workspaceId" = $1 AND "series" = ANY($2::text[]) AND "at" >= ${utcParam(3)} AND "at" <= ${utcParam(4)}`;

const countsSql = `SELECT "series", count(*)::int AS "points" FROM "SeriesPoint" WHERE ${inRange} GROUP BY "series"`;

const pointsSql = `
SELECT "series", ${msOf(`"at"`)} AS "at", "value", "data" FROM "SeriesPoint"
WHERE ${inRange} ORDER BY "series", "at", "id"`;

/**
 * Each bucket's average of the numeric points and the latest JSON; buckets start at the range's start, so the
 * same range gives the same buckets.
 */
const bucketsSql = `
SELECT "series", ${msOf(`date_bin(make_interval(secs => $5::float8), "at", ${utcParam(3)})`)} AS "at",
  avg("value")::float8 AS "value", (array_agg("data" ORDER BY "at" DESC) FILTER (WHERE "data" IS NOT NULL))[1] AS "data"
FROM "SeriesPoint" WHERE ${inRange}
GROUP BY "series", 2 ORDER BY "series", 2`;

/** Deletes the oldest points past their workspace's retention, one batch at a time. */
const pruneSql = `
DELETE FROM "SeriesPoint" WHERE "id" IN (
  SELECT p."id" FROM "SeriesPoint" AS p JOIN "Workspace" AS w ON w."id" = p."workspaceId"
  WHERE p."at" < (now() AT TIME ZONE 'UTC') - make_interval(days => w."seriesRetentionDays")
  LIMIT $1
)`;

interface PointRow {
  series: string;
  at: number;
  value: number | null;
  data: unknown;
}

const jsonOrNull = (value: unknown) => (value === undefined || value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue));

export const seriesService = {
  /** Stores points as one statement. */
  async append({ db, points }: { db: Db; points: SeriesPointRow[] }): Promise<void> {
    if (points.length === 0) return;
    await db.seriesPoint.createMany({
      data: points.map((point) => ({
        workspaceId: point.workspaceId,
        series: point.series,
        at: point.at,
        value: point.value,
        data: jsonOrNull(point.data),
        unit: point.unit ?? null,
        labels: jsonOrNull(point.labels),
        flowId: point.flowId,
        runId: point.runId,
      })),
    });
  },

  /** How many days the workspace keeps its series' points. */
  async retention({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<number> {
    const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { seriesRetentionDays: true } });
    return workspace.seriesRetentionDays;
  },

  /** Sets how many days the workspace keeps its series' points; older ones go at the next hourly prune. */
  async setRetention({ db, workspaceId, userId, days }: { db: Db; workspaceId: string; userId: string; days: number }): Promise<number> {
    return db.$transaction(async (tx) => {
      const before = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { seriesRetentionDays: true } });
      await tx.workspace.update({ where: { id: workspaceId }, data: { seriesRetentionDays: days }, select: { id: true } });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "series.retention", targetType: "workspace", targetId: workspaceId, data: { from: before.seriesRetentionDays, to: days } },
      });
      return days;
    });
  },

  async prune({ db, batch }: { db: Db; batch: number }): Promise<number> {
    return db.$executeRawUnsafe(pruneSql, batch);
  },

  /** The workspace's series by name, each with its latest point. */
  async list({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<SeriesSummary[]> {
    const rows = await rawSql(db)<{ series: string; points: number; unit: string | null; value: number | null; data: unknown; lastAt: number }>(seriesSql, [workspaceId]);
    return rows.map((row) => ({ series: row.series, unit: row.unit, points: row.points, lastAt: row.lastAt, last: { value: row.value, data: row.data } }));
  },

  /**
   * Each series' points from `from` to `to`, oldest first; a series holding more than `maxPoints` there is averaged
   * into time buckets (the latest JSON of each bucket kept), so a chart never gets more than it can draw.
   */
  async points({ db, workspaceId, series, from, to, maxPoints }: { db: Db; workspaceId: string; series: string[]; from: Date; to: Date; maxPoints: number }): Promise<SeriesPoints[]> {
    const sql = rawSql(db);
    const range = [workspaceId, series, from.toISOString(), to.toISOString()];
    const counts = await sql<{ series: string; points: number }>(countsSql, range);
    const dense = counts.filter((c) => c.points > maxPoints).map((c) => c.series);
    const sparse = counts.filter((c) => c.points <= maxPoints).map((c) => c.series);
    const widthSeconds = bucketWidthMs({ fromMs: from.getTime(), toMs: to.getTime(), maxPoints }) / 1000;
    const rows = [
      ...(sparse.length ? await sql<PointRow>(pointsSql, [workspaceId, sparse, range[2], range[3]]) : []),
      ...(dense.length ? await sql<PointRow>(bucketsSql, [workspaceId, dense, range[2], range[3], widthSeconds]) : []),
    ];
    const bySeries = new Map<string, SeriesPoints["points"]>(series.map((name) => [name, []]));
    for (const row of rows) bySeries.get(row.series)?.push(row.data === null || row.data === undefined ? { at: row.at, value: row.value } : { at: row.at, value: row.value, data: row.data });
    return [...bySeries].map(([name, points]) => ({ series: name, points }));
  },
};
