import type { ConversionOutcome, ExperimentStore, ExperimentVariant } from "../../nodes/_kit/context";
import { NodeConfigError } from "../../nodes/_kit/errors";
import type { Db } from "../db";
import { prismaRawSql, rawSql, type RawSql } from "../db/raw";
import { storableText } from "../../nodes/_core/json-check";
import { compareProportions, type Comparison } from "./ab-test-statistics";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";

interface ExperimentScope {
  workspaceId: string;
  flowId: string;
  experiment: string;
}

const utcNow = `now() AT TIME ZONE 'UTC'`;

/**
 * One statement: the experiment's declaration (rewritten only when it changed), each key's assignment, and the
 * exposure counters of the keys it assigned. A key keeps its variant while that variant is declared; a key seen
 * for the first time, or whose variant was removed, takes the proposed one and counts as its exposure.
 */
const assignSql = `
WITH experiment AS (
  INSERT INTO "AbExperiment" ("workspaceId", "flowId", "name", "variants", "control", "createdAt", "updatedAt")
  VALUES ($1, $2, $3, $4::jsonb, $5, ${utcNow}, ${utcNow})
  ON CONFLICT ("flowId", "name") DO NOTHING
), declared AS (
  -- Unlike ON CONFLICT DO UPDATE, this locks the row only when the declaration changed, so runs at once do not queue on it.
  UPDATE "AbExperiment" SET "variants" = $4::jsonb, "control" = $5, "updatedAt" = ${utcNow}
  WHERE "flowId" = $2 AND "name" = $3 AND ("variants" IS DISTINCT FROM $4::jsonb OR "control" IS DISTINCT FROM $5)
), exposed AS (
  INSERT INTO "AbAssignment" ("workspaceId", "flowId", "experiment", "key", "variant", "assignedAt")
  SELECT $1, $2, $3, e.key, e.variant, ${utcNow} FROM unnest($6::text[], $7::text[]) AS e(key, variant)
  ON CONFLICT ("flowId", "experiment", "key") DO UPDATE SET "variant" = EXCLUDED."variant", "assignedAt" = EXCLUDED."assignedAt", "convertedAt" = NULL
  WHERE NOT ("AbAssignment"."variant" = ANY($8::text[]))
  RETURNING "key", "variant"
), counted AS (
  INSERT INTO "AbVariantStat" ("workspaceId", "flowId", "experiment", "variant", "exposures")
  SELECT $1, $2, $3, "variant", count(*) FROM exposed GROUP BY "variant"
  ON CONFLICT ("flowId", "experiment", "variant") DO UPDATE SET "exposures" = "AbVariantStat"."exposures" + EXCLUDED."exposures"
)
SELECT "key", "variant" FROM exposed`;

/** One statement: marks the keys converted (once each) and adds them to their variants' conversion counters. */
const convertSql = `
WITH converted AS (
  UPDATE "AbAssignment" SET "convertedAt" = ${utcNow}
  WHERE "flowId" = $1 AND "workspaceId" = $2 AND "experiment" = $3 AND "key" = ANY($4::text[]) AND "convertedAt" IS NULL
  RETURNING "key", "variant"
), counted AS (
  UPDATE "AbVariantStat" AS s SET "conversions" = s."conversions" + c.n
  FROM (SELECT "variant", count(*) AS n FROM converted GROUP BY "variant") AS c
  WHERE s."flowId" = $1 AND s."experiment" = $3 AND s."variant" = c."variant"
)
SELECT "key", "variant" FROM converted`;

const assignedSql = `SELECT "key", "variant" FROM "AbAssignment" WHERE "flowId" = $1 AND "workspaceId" = $2 AND "experiment" = $3 AND "key" = ANY($4::text[])`;

async function experimentExists({ sql, workspaceId, flowId, experiment }: ExperimentScope & { sql: RawSql }): Promise<boolean> {
  const rows = await sql(`SELECT 1 FROM "AbExperiment" WHERE "flowId" = $1 AND "workspaceId" = $2 AND "name" = $3`, [flowId, workspaceId, experiment]);
  return rows.length > 0;
}

/** Converts each key once; null when the flow (of this workspace) has no such experiment. */
async function convertKeys({ sql, workspaceId, flowId, experiment, keys }: ExperimentScope & { sql: RawSql; keys: string[] }): Promise<ConversionOutcome[] | null> {
  if (!(await experimentExists({ sql, workspaceId, flowId, experiment }))) return null;
  const unique = [...new Set(keys)];
  const converted = new Map((await sql<{ key: string; variant: string }>(convertSql, [flowId, workspaceId, experiment, unique])).map((r) => [r.key, r.variant]));
  const rest = unique.filter((key) => !converted.has(key));
  const assigned = new Map(rest.length ? (await sql<{ key: string; variant: string }>(assignedSql, [flowId, workspaceId, experiment, rest])).map((r) => [r.key, r.variant]) : []);
  const seen = new Set<string>();
  return keys.map((key) => {
    const first = !seen.has(key);
    seen.add(key);
    if (first && converted.has(key)) return { key, variant: converted.get(key)!, counted: true };
    return { key, variant: converted.get(key) ?? assigned.get(key) ?? null, counted: false };
  });
}

/**
 * The store behind a node's `ctx.experiments`: bound to the run's workspace and flow, so a node reaches no other
 * workspace's experiments. The hot path is plain SQL on the driver, one statement per batch of items.
 */
export function experimentStore({ db, workspaceId, flowId }: { db: Db; workspaceId: string; flowId: string }): ExperimentStore {
  const sql = rawSql(db);
  return {
    async assign({ experiment, variants, control, entries: given }) {
      // Keys come from run data; NUL and lone surrogates, which PostgreSQL refuses, are kept as U+FFFD.
      const entries = given.map((entry) => ({ ...entry, key: storableText(entry.key) }));
      const proposed = new Map<string, string>();
      for (const entry of entries) if (!proposed.has(entry.key)) proposed.set(entry.key, entry.proposed);
      const keys = [...proposed.keys()];
      const declared = variants.map((v) => v.name);
      const rows = await sql<{ key: string; variant: string }>(assignSql, [
        workspaceId,
        flowId,
        experiment,
        JSON.stringify(variants.map(({ name, weight }) => ({ name, weight }))),
        control,
        keys,
        keys.map((key) => proposed.get(key)!),
        declared,
      ]);
      const variantOf = new Map(rows.map((r) => [r.key, r.variant]));
      const kept = keys.filter((key) => !variantOf.has(key));
      if (kept.length) for (const r of await sql<{ key: string; variant: string }>(assignedSql, [flowId, workspaceId, experiment, kept])) variantOf.set(r.key, r.variant);
      return entries.map((entry) => variantOf.get(entry.key)!);
    },
    async convert({ experiment, keys, flowId: target = flowId }) {
      const outcomes = await convertKeys({ sql, workspaceId, flowId: target, experiment, keys: keys.map(storableText) });
      if (outcomes) return outcomes;
      const where = target === flowId ? "this flow" : `flow "${target}" of this workspace`;
      throw new NodeConfigError(
        `Experiment "${experiment}" does not exist in ${where}: it is created when its A/B split node first runs; check that the names match`,
      );
    },
  };
}

export interface VariantResult extends Comparison {
  name: string;
  /** The weight the split node declares; null for a variant it no longer has. */
  weight: number | null;
  control: boolean;
  exposures: number;
  conversions: number;
  /** Conversions over exposures; null before the first exposure. */
  rate: number | null;
}

export interface ExperimentResult {
  experiment: string;
  control: string;
  confidence: number;
  createdAt: Date;
  updatedAt: Date;
  variants: VariantResult[];
}

/** A workspace the caller is already known to act in at the needed role (the router's `workspaceProcedure`); `userId` is the actor audited. */
interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
  flowId: string;
}

const flowNotFound = () => new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
const experimentNotFound = (experiment: string) =>
  new ServiceError({ code: "NOT_FOUND", message: `This flow has no experiment "${experiment}"; it appears once its A/B split node has run` });

async function requireFlow({ db, workspaceId, flowId }: { db: Db; workspaceId: string; flowId: string }): Promise<void> {
  const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
  if (!flow) throw flowNotFound();
}

/** Declared variants in their order, then any variant with counts that the split node no longer declares. */
function analyse({ row, confidence }: { row: ExperimentRow; confidence: number }): ExperimentResult {
  const declared = row.variants as unknown as ExperimentVariant[];
  const counts = new Map(row.stats.map((s) => [s.variant, { exposures: Number(s.exposures), conversions: Number(s.conversions) }]));
  const names = [...declared.map((v) => v.name), ...row.stats.map((s) => s.variant).filter((name) => !declared.some((v) => v.name === name))];
  const zero = { exposures: 0, conversions: 0 };
  const control = counts.get(row.control) ?? zero;
  return {
    experiment: row.name,
    control: row.control,
    confidence,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    variants: names.map((name) => {
      const own = counts.get(name) ?? zero;
      const isControl = name === row.control;
      const comparison: Comparison = isControl
        ? { difference: null, lift: null, z: null, pValue: null, interval: null, significant: false }
        : compareProportions({ control, variant: own, confidence });
      return {
        name,
        weight: declared.find((v) => v.name === name)?.weight ?? null,
        control: isControl,
        ...own,
        rate: own.exposures ? own.conversions / own.exposures : null,
        ...comparison,
      };
    }),
  };
}

const experimentSelect = {
  name: true,
  variants: true,
  control: true,
  createdAt: true,
  updatedAt: true,
  stats: { select: { variant: true, exposures: true, conversions: true } },
} as const;

type ExperimentRow = { name: string; variants: unknown; control: string; createdAt: Date; updatedAt: Date; stats: { variant: string; exposures: bigint; conversions: bigint }[] };

export const abTestService = {
  /** Each experiment of a flow (or the one named) with its variants' counts and their comparison with the control. */
  async results({ db, workspaceId, flowId, experiment, confidence }: Omit<Scope, "userId"> & { experiment?: string; confidence: number }): Promise<ExperimentResult[]> {
    await requireFlow({ db, workspaceId, flowId });
    const rows: ExperimentRow[] = await db.abExperiment.findMany({
      where: { workspaceId, flowId, ...(experiment === undefined ? {} : { name: experiment }) },
      select: experimentSelect,
      orderBy: { name: "asc" },
    });
    if (experiment !== undefined && rows.length === 0) throw experimentNotFound(experiment);
    return rows.map((row) => analyse({ row, confidence }));
  },

  /** Every experiment of the workspace with its flow, analysed as `results` does, for the experiments page. */
  async overview({ db, workspaceId, confidence }: { db: Db; workspaceId: string; confidence: number }): Promise<(ExperimentResult & { flowId: string; flowName: string })[]> {
    const rows = await db.abExperiment.findMany({
      where: { workspaceId },
      select: { ...experimentSelect, flowId: true, flow: { select: { name: true } } },
      orderBy: [{ updatedAt: "desc" }, { name: "asc" }],
    });
    return rows.map((row) => ({ flowId: row.flowId, flowName: row.flow.name, ...analyse({ row, confidence }) }));
  },

  /** Records conversions from outside a flow (a back office, a script); the same rules as the goal node. */
  async convert({ db, userId, workspaceId, flowId, experiment, keys }: Scope & { experiment: string; keys: string[] }): Promise<ConversionOutcome[]> {
    await requireFlow({ db, workspaceId, flowId });
    return db.$transaction(async (tx) => {
      const outcomes = await convertKeys({ sql: prismaRawSql(tx), workspaceId, flowId, experiment, keys });
      if (!outcomes) throw experimentNotFound(experiment);
      const counted = outcomes.filter((o) => o.counted).length;
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "abTest.convert", targetType: "flow", targetId: flowId, data: { experiment, keys: keys.length, counted } },
      });
      return outcomes;
    });
  },

  /** Forgets an experiment's assignments and counts; its split node starts it afresh on its next run. */
  async reset({ db, userId, workspaceId, flowId, experiment }: Scope & { experiment: string }): Promise<{ experiment: string }> {
    await requireFlow({ db, workspaceId, flowId });
    return db.$transaction(async (tx) => {
      const deleted = await tx.abExperiment.deleteMany({ where: { workspaceId, flowId, name: experiment } });
      if (deleted.count === 0) throw experimentNotFound(experiment);
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "abTest.reset", targetType: "flow", targetId: flowId, data: { experiment } } });
      return { experiment };
    });
  },
};
