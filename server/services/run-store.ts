import type { Db } from "../db";
import { rawSql } from "../db/raw";

/**
 * Writes runs and steps for the runner. Writes from concurrent runs are gathered and sent as one statement
 * (runs and steps together), the next batch leaving as soon as the previous one returns, so a busy server
 * makes few round trips and an idle one sends each write at once.
 */

export type RunStatusValue = "queued" | "running" | "succeeded" | "failed" | "cancelled";
export type StepStatusValue = "running" | "succeeded" | "failed" | "skipped" | "cancelled";

export interface RunRow {
  id: string;
  workspaceId: string;
  flowId: string;
  flowVersionId: string | null;
  status: RunStatusValue;
  trigger: string;
  input: unknown;
  output: unknown;
  error: unknown;
  workerId: string | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  startNodeId: string | null;
  parentRunId: string | null;
  document: unknown;
}

export interface StepRow {
  workspaceId: string;
  runId: string;
  nodeId: string;
  nodeName: string;
  nodeType: string;
  status: StepStatusValue;
  attempt: number;
  input: unknown;
  output: unknown;
  inputTruncated: boolean;
  outputTruncated: boolean;
  outputRef: string | null;
  error: unknown;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
}

/** JSON serialized already (step data measured against its cap), spliced into a batch as it is. */
export class RawJson {
  constructor(readonly json: string) {}
}

function rowJson(row: object): string {
  let out = "{";
  for (const [key, value] of Object.entries(row)) {
    if (value === undefined) continue;
    if (out.length > 1) out += ",";
    out += `${JSON.stringify(key)}:${value instanceof RawJson ? value.json : JSON.stringify(value)}`;
  }
  return `${out}}`;
}

const rowsJson = (rows: object[]) => `[${rows.map(rowJson).join(",")}]`;

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

const runColumns = `id text, "workspaceId" text, "flowId" text, "flowVersionId" text, status "RunStatus", trigger text, input jsonb, output jsonb,
  error jsonb, "workerId" text, "queuedAt" timestamp(3), "startedAt" timestamp(3), "finishedAt" timestamp(3), "startNodeId" text,
  "parentRunId" text, document jsonb`;
const stepColumns = `"workspaceId" text, "runId" text, "nodeId" text, "nodeName" text, "nodeType" text, status "StepStatus",
  attempt int, input jsonb, output jsonb, "inputTruncated" boolean, "outputTruncated" boolean, "outputRef" text, error jsonb,
  "startedAt" timestamp(3), "finishedAt" timestamp(3), "durationMs" int`;

const upsertSql = `
WITH runs AS (
  INSERT INTO "Run" (id, "workspaceId", "flowId", "flowVersionId", status, trigger, input, output, error, "workerId", "queuedAt", "startedAt", "finishedAt", "startNodeId", "parentRunId", document)
  SELECT id, "workspaceId", "flowId", "flowVersionId", status, trigger, input, output, error, "workerId", "queuedAt", "startedAt", "finishedAt", "startNodeId", "parentRunId", document
  FROM jsonb_to_recordset($1::jsonb) AS r(${runColumns})
  ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error,
    "workerId" = EXCLUDED."workerId", "startedAt" = EXCLUDED."startedAt", "finishedAt" = EXCLUDED."finishedAt"
  RETURNING 1
), steps AS (
  INSERT INTO "Step" ("workspaceId", "runId", "nodeId", "nodeName", "nodeType", status, attempt, input, output, "inputTruncated", "outputTruncated", "outputRef", error, "startedAt", "finishedAt", "durationMs")
  SELECT "workspaceId", "runId", "nodeId", "nodeName", "nodeType", status, attempt, input, output, "inputTruncated", "outputTruncated", "outputRef", error, "startedAt", "finishedAt", "durationMs"
  FROM jsonb_to_recordset($2::jsonb) AS s(${stepColumns})
  ON CONFLICT ("runId", "nodeId") DO UPDATE SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, input = EXCLUDED.input,
    output = EXCLUDED.output, "inputTruncated" = EXCLUDED."inputTruncated", "outputTruncated" = EXCLUDED."outputTruncated",
    "outputRef" = EXCLUDED."outputRef", error = EXCLUDED.error, "startedAt" = EXCLUDED."startedAt",
    "finishedAt" = EXCLUDED."finishedAt", "durationMs" = EXCLUDED."durationMs"
  RETURNING 1
)
SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM steps) AS steps`;

export class RunStore {
  private runs = new Map<string, RunRow>();
  private steps = new Map<string, StepRow>();
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(private readonly db: Db) {}

  /** Queues the run's current state for writing; resolves once it is in the database. */
  saveRun(row: RunRow): Promise<void> {
    this.runs.set(row.id, row);
    return this.enqueue();
  }

  saveStep(row: StepRow): Promise<void> {
    const key = `${row.runId}\u0000${row.nodeId}`;
    this.steps.set(key, row);
    return this.enqueue();
  }

  /** Resolves when everything queued so far is written. */
  async drain(): Promise<void> {
    while (this.flushing || this.runs.size || this.steps.size) {
      if (this.flushing) await this.flushing.catch(() => {});
      else await this.enqueue().catch(() => {});
    }
  }

  private enqueue(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing && !this.scheduled) {
      this.scheduled = true;
      // One turn of the event loop gathers the writes of requests handled together.
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
    return done;
  }

  private flush(): void {
    const runs = [...this.runs.values()];
    const steps = [...this.steps.values()];
    const waiters = this.waiters;
    this.runs = new Map();
    this.steps = new Map();
    this.waiters = [];
    if (!runs.length && !steps.length) {
      waiters.forEach((w) => w.resolve());
      return;
    }
    this.flushing = rawSql(this.db)(upsertSql, [rowsJson(runs), rowsJson(steps)])
      .then(
        () => waiters.forEach((w) => w.resolve()),
        (err: unknown) => waiters.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.flushing = null;
        if (this.waiters.length) this.flush();
      });
  }
}
