import { randomUUID } from "node:crypto";
import { createTestDatabase } from "./server/db/test-databases";
import { rawSql } from "./server/db/raw";
import { upsertSql } from "./server/services/run-store";

const kind = (process.argv[2] ?? "pglite") as "pglite" | "postgres";
const database = await createTestDatabase(kind);
const db = database.db;
const ws = await db.workspace.create({ data: { slug: "b", name: "b" }, select: { id: true } });
const flow = await db.flow.create({ data: { workspaceId: ws.id, name: "f", draft: {} }, select: { id: true } });
const headers = { host: "127.0.0.1:3000", "content-type": "application/json", "content-length": "36", connection: "keep-alive", "user-agent": "autocannon" };
function batch() {
  const runs = [], steps = [];
  for (let i = 0; i < 20; i++) {
    const id = randomUUID();
    const now = new Date().toISOString();
    runs.push({ id, workspaceId: ws.id, flowId: flow.id, flowVersionId: null, status: "succeeded", trigger: "webhook", input: [{ json: { method: "POST", path: "bench/x", headers, query: {}, body: { name: "bench", numbers: [1, 2, 3] } } }], output: { items: {}, fromStep: "set" }, error: null, workerId: "w", queuedAt: now, startedAt: now, finishedAt: now, startNodeId: "hook", parentRunId: null, document: null });
    for (const nodeId of ["hook", "set", "respond"]) steps.push({ workspaceId: ws.id, runId: id, nodeId, nodeName: nodeId, nodeType: "core.set", status: "succeeded", attempt: 1, input: { items: {}, fromUpstream: true }, output: nodeId === "set" ? { items: { out: [{ json: { greeting: "Hello bench", ok: true } }] } } : { items: {}, sameAsInput: true }, inputTruncated: false, outputTruncated: false, outputRef: null, error: null, startedAt: now, finishedAt: now, durationMs: 0, usage: null, writerId: "w" });
  }
  return [JSON.stringify(runs), JSON.stringify(steps), "[]"];
}
const variants = { jsonb: upsertSql, json: upsertSql.replaceAll("jsonb_to_recordset($1::jsonb)", "json_to_recordset($1::json)").replaceAll("jsonb_to_recordset($2::jsonb)", "json_to_recordset($2::json)").replaceAll("jsonb_to_recordset($3::jsonb)", "json_to_recordset($3::json)") };
for (let round = 0; round < 3; round++) {
  for (const [name, sql] of Object.entries(variants)) {
    const n = 150;
    const started = performance.now();
    for (let i = 0; i < n; i++) await rawSql(db)(sql, batch());
    console.log(kind, name, ((performance.now() - started) / n).toFixed(2), "ms per batch of 20 runs");
  }
}
await database.close?.();
process.exit(0);
