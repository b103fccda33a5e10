import type { Db } from "../db";
import { preparedStatement, rawSql } from "../db/raw";
import { fromMs, recordsetJson } from "../db/recordset";
import { Batcher } from "../../nodes/_core/batcher";
import type { RunRow, StepRow, UsageEntry } from "../../runner/ports";
import type { RunStatus, StepStatus } from "../../nodes/_core/run-types";
import type { Run, Step } from "../db/generated/client";
import type { RunStatus as DbRunStatus, StepStatus as DbStepStatus } from "../db/generated/enums";

/**
 * Writes runs and steps for the runner. Writes from concurrent runs are gathered and sent as one statement
 * (runs and steps together), with up to two such batches out at once and the next leaving as soon as one returns,
 * so a busy server makes few round trips and an idle one sends each write at once.
 */

// The runner declares the rows it writes; they must be the Prisma models' columns (JSON as values, the core's
// statuses, a run and a step less their loss counters): a difference stops the build here.
type DbRunRow = Omit<Run, "status" | "input" | "output" | "error" | "document" | "workerLosses"> & { status: RunStatus; input: unknown; output: unknown; error: unknown; document: unknown };
type DbStepRow = Omit<Step, "status" | "input" | "output" | "error" | "usage" | "workerLosses"> & {
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: unknown;
  usage?: unknown;
  writerId?: string;
};

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The database enums (prisma/schema.prisma) must be the core's statuses: a difference stops the build here.
void (true satisfies Same<DbRunStatus, RunStatus>);
void (true satisfies Same<DbStepStatus, StepStatus>);
void (true satisfies Same<DbRunRow, RunRow>);
void (true satisfies Same<DbStepRow, StepRow>);

interface UsageTotal {
  workspaceId: string;
  day: string;
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  calls: number;
}

const runColumns = `id text, "workspaceId" text, "flowId" text, "flowVersionId" text, status "RunStatus", trigger text, input jsonb, output jsonb,
  error jsonb, "workerId" text, "queuedAt" bigint, "startedAt" bigint, "finishedAt" bigint, "startNodeId" text,
  "parentRunId" text, document jsonb`;
const stepColumns = `"workspaceId" text, "runId" text, "nodeId" text, "nodeName" text, "nodeType" text, status "StepStatus",
  attempt int, input jsonb, output jsonb, "inputTruncated" boolean, "outputTruncated" boolean, "outputRef" text, error jsonb,
  "startedAt" bigint, "finishedAt" bigint, "durationMs" int, usage jsonb, "writerId" text`;
const usageColumns = `"workspaceId" text, day date, provider text, model text, "promptTokens" bigint, "completionTokens" bigint, calls int`;

const upsertSql = preparedStatement(`
WITH runs AS (
  INSERT INTO "Run" (id, "workspaceId", "flowId", "flowVersionId", status, trigger, input, output, error, "workerId", "queuedAt", "startedAt", "finishedAt", "startNodeId", "parentRunId", document)
  SELECT id, "workspaceId", "flowId", "flowVersionId", status, trigger, input, output, error, "workerId", ${fromMs(`"queuedAt"`)}, ${fromMs(`"startedAt"`)},
    ${fromMs(`"finishedAt"`)}, "startNodeId", "parentRunId", document
  FROM jsonb_to_recordset($1::jsonb) AS r(${runColumns})
  ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error,
    "workerId" = EXCLUDED."workerId", "startedAt" = EXCLUDED."startedAt", "finishedAt" = EXCLUDED."finishedAt"
  -- Only the worker that holds a run moves it, and never once it has ended: a cancel or a takeover while the worker
  -- was stuck stays, whatever that worker writes when it comes back.
  WHERE "Run".status IN ('queued', 'running') AND "Run"."workerId" IS NOT DISTINCT FROM EXCLUDED."workerId"
  RETURNING 1
), steps AS (
  INSERT INTO "Step" ("workspaceId", "runId", "nodeId", "nodeName", "nodeType", status, attempt, input, output, "inputTruncated", "outputTruncated", "outputRef", error, "startedAt", "finishedAt", "durationMs", usage)
  SELECT "workspaceId", "runId", "nodeId", "nodeName", "nodeType", status, attempt, input, output, "inputTruncated", "outputTruncated", "outputRef", error,
    ${fromMs(`"startedAt"`)}, ${fromMs(`"finishedAt"`)}, "durationMs", usage
  FROM jsonb_to_recordset($2::jsonb) AS s(${stepColumns})
  WHERE s."writerId" IS NULL OR NOT EXISTS (SELECT 1 FROM "Run" r WHERE r.id = s."runId" AND r."workerId" IS DISTINCT FROM s."writerId")
  ON CONFLICT ("runId", "nodeId") DO UPDATE SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, input = EXCLUDED.input,
    output = EXCLUDED.output, "inputTruncated" = EXCLUDED."inputTruncated", "outputTruncated" = EXCLUDED."outputTruncated",
    "outputRef" = EXCLUDED."outputRef", error = EXCLUDED.error, "startedAt" = EXCLUDED."startedAt",
    "finishedAt" = EXCLUDED."finishedAt", "durationMs" = EXCLUDED."durationMs", usage = EXCLUDED.usage
  -- A finished step is final (a resumed run feeds it on): a stalled worker finishing it late does not replace it.
  WHERE "Step".status NOT IN ('succeeded', 'failed')
  RETURNING 1
), usage AS (
  INSERT INTO "TokenUsage" ("workspaceId", day, provider, model, "promptTokens", "completionTokens", calls)
  SELECT "workspaceId", day, provider, model, "promptTokens", "completionTokens", calls
  FROM jsonb_to_recordset($3::jsonb) AS u(${usageColumns})
  ON CONFLICT ("workspaceId", day, provider, model) DO UPDATE SET
    "promptTokens" = "TokenUsage"."promptTokens" + EXCLUDED."promptTokens",
    "completionTokens" = "TokenUsage"."completionTokens" + EXCLUDED."completionTokens",
    calls = "TokenUsage".calls + EXCLUDED.calls
  RETURNING 1
)
SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM steps) AS steps, (SELECT count(*) FROM usage) AS usage`);

type Write = { run: RunRow } | { step: StepRow } | { usage: UsageEntry };

/**
 * How many writes may wait behind the batches being written before new runs wait for room: a process that takes
 * webhooks faster than its database stores their runs slows down instead of holding every run in memory. Rows that
 * wait outlive the young generation, and each young collection copies them: the fewer wait, the shorter the pauses,
 * and the runs that wait for room wait for a smaller batch. With one batch in flight, 2,000 kept a webhook load's p99
 * at 25-35 ms and 500 at 15 ms. With two in flight, 250 against 500 (webhook → set → respond, history kept, c20,
 * rounds that take turns): PostgreSQL p99 7-10 against 11-14 ms at about the same rate (from 5% less to 8% more in
 * three sets of rounds), the web process's CPU a request 0.06-0.10 against 0.07-0.11 ms; embedded p99 14-18 against
 * 17-20 ms for 0-6% less rate; the async flow's workers the same. 1,000 raised the p99 to 14-16 ms, and 150 lowered it
 * to 8-9 ms for 12% less rate.
 */
const MAX_WAITING_WRITES = 250;

/**
 * How many batches may be written at once (on two of PostgreSQL's connections; embedded, the database's thread takes
 * the next as soon as it is done with one). With one, the web process waited while its batch was written, once the
 * writes waiting reached their limit, and the database waited while the next batch gathered: a quarter of the
 * machine's CPU stayed idle. With two, the next batch leaves while one is written, and both keep busy. Webhook → set
 * → respond, history kept, c20, alternating rounds: PostgreSQL 4,340-4,910 → 5,350-6,470 req/s, p99 22-25 → 14-17
 * ms; embedded 3,350-3,410 → 4,190-4,600 req/s, p99 31-34 → 23-27 ms. Queue-mode workers, whose runs use all the
 * CPU, measured the same.
 */
const BATCHES_IN_FLIGHT = 2;

/**
 * The writes of one run go in one batch at a time, in order: its steps are never written beside an earlier write of
 * its own row that has not been stored yet (a step needs its run's row), and two batches in flight never wait for
 * each other's rows. Token totals go one batch at a time too, as they add up in shared rows.
 */
function writeKey(write: Write): string {
  if ("run" in write) return write.run.id;
  if ("step" in write) return write.step.runId;
  return "\u0000usage";
}

export class RunStore {
  private readonly batches = new Batcher<Write, void>((writes) => this.write(writes), { inFlight: BATCHES_IN_FLIGHT, keyOf: writeKey });

  constructor(private readonly db: Db) {}

  /** Queues the run's current state for writing; resolves once it is in the database. */
  saveRun(row: RunRow): Promise<void> {
    return this.batches.add({ run: row });
  }

  saveStep(row: StepRow): Promise<void> {
    return this.batches.add({ step: row });
  }

  /** Adds a step's tokens to its workspace's totals; written with the next batch. */
  addUsage(entry: UsageEntry): Promise<void> {
    return this.batches.add({ usage: entry });
  }

  /** Resolves at once, or, while too many writes wait, when they have been sent. */
  async room(): Promise<void> {
    await this.batches.room(MAX_WAITING_WRITES);
  }

  /** Resolves when everything queued so far is written. */
  drain(): Promise<void> {
    return this.batches.drain();
  }

  /** One statement for the batch: a run or step written twice goes as its latest state, tokens summed per key. */
  private async write(writes: Write[]): Promise<void[]> {
    const runs = new Map<string, RunRow>();
    const steps = new Map<string, StepRow>();
    const usage = new Map<string, UsageTotal>();
    for (const write of writes) {
      if ("run" in write) runs.set(write.run.id, write.run);
      else if ("step" in write) steps.set(`${write.step.runId}\u0000${write.step.nodeId}`, write.step);
      else addUsage(usage, write.usage);
    }
    await rawSql(this.db)(upsertSql, [recordsetJson([...runs.values()]), recordsetJson([...steps.values()]), recordsetJson([...usage.values()])]);
    return writes.map(() => undefined);
  }
}

// Summed per key: one statement may not update the same TokenUsage row twice.
function addUsage(totals: Map<string, UsageTotal>, entry: UsageEntry): void {
  const day = entry.at.toISOString().slice(0, 10);
  for (const u of entry.usage) {
    const key = `${entry.workspaceId}\u0000${day}\u0000${u.provider}\u0000${u.model}`;
    const total = totals.get(key);
    if (total) {
      total.promptTokens += u.promptTokens;
      total.completionTokens += u.completionTokens;
      total.calls += u.calls;
    } else {
      totals.set(key, { workspaceId: entry.workspaceId, day, provider: u.provider, model: u.model, promptTokens: u.promptTokens, completionTokens: u.completionTokens, calls: u.calls });
    }
  }
}
