// Seeds a benchmark database: migrations, one user and workspace, and the benchmark flows, activated.
// Usage: node --import tsx bench/lib/seed.ts   (with DATABASE_URL, or DATA_DIR for the embedded database)
// Prints the webhook path of each flow as JSON.
import { pathToFileURL } from "node:url";
import { applyMigrations } from "../../prisma/migrate";
import { connectDb, dbTargetFromEnv, type DbConnection } from "../../server/db/connect";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { activationService } from "../../server/services/activation-service";
import { flowService } from "../../server/services/flow-service";
import { userService } from "../../server/services/user-service";
import { workspaceService } from "../../server/services/workspace-service";

export type BenchNode = { id: string; type: string; config?: Record<string, unknown> } & Record<string, unknown>;

/** A straight flow: each node feeds the next. */
export function flowDocument(nodes: BenchNode[], keepRuns: "all" | "failed") {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: nodes.map((n, i) => ({ name: n.id, position: { x: i * 220, y: 0 }, config: {}, ...n })),
    edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id })),
    settings: { keepRuns },
  };
}

export const setNode: BenchNode = {
  id: "set",
  type: "core.set",
  config: { fields: [{ name: "greeting", value: "{{ 'Hello ' & body.name }}" }, { name: "ok", value: true }], keepOnlySet: true },
};
const codeNode: BenchNode = {
  id: "code",
  type: "core.code",
  config: { code: "const numbers = items[0].json.body.numbers; return [{ sum: numbers.reduce((a, b) => a + b, 0) }];" },
};
const respond: BenchNode = { id: "respond", type: "core.respond-to-webhook", config: {} };
export const hook = (name: string, respond: string): BenchNode => ({ id: "hook", type: "core.webhook", config: { path: `bench/${name}`, respond } });

/** The scenarios: sync webhook → set → respond and the same with a code node (each with history kept, or failed runs only), and an async 3-node flow. */
export const benchFlows = {
  "webhook-set": flowDocument([hook("webhook-set", "respondNode"), setNode, respond], "all"),
  "webhook-set-failed-only": flowDocument([hook("webhook-set-failed-only", "respondNode"), setNode, respond], "failed"),
  "webhook-code": flowDocument([hook("webhook-code", "respondNode"), codeNode, respond], "all"),
  "webhook-code-failed-only": flowDocument([hook("webhook-code-failed-only", "respondNode"), codeNode, respond], "failed"),
  "async-3": flowDocument([hook("async-3", "immediately"), setNode, { ...setNode, id: "set2" }], "all"),
};

type Scope = { db: DbConnection["db"]; userId: string; workspaceId: string };

/** Applies the migrations and signs in the benchmark's user; its first workspace is where flows go. */
export async function benchWorkspace(connection: DbConnection): Promise<Scope> {
  await applyMigrations({ adapterFactory: connection.adapterFactory });
  const db = connection.db;
  const user = await userService.signIn({ db, identity: { provider: "dev", email: "bench@example.test", name: "Bench" } });
  const [workspace] = await workspaceService.listForUser({ db, userId: user.id });
  return { db, userId: user.id, workspaceId: workspace!.id };
}

/** Creates, saves and activates each flow; resolves with each one's webhook path. */
export async function activateFlows(scope: Scope, flows: Record<string, unknown>): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const [name, doc] of Object.entries(flows)) {
    const flow = await flowService.create({ ...scope, name, document: doc });
    await flowService.saveVersion({ ...scope, flowId: flow.id, document: doc, message: "benchmark" });
    const { webhooks } = await activationService.activate({ ...scope, flowId: flow.id });
    paths[name] = webhooks[0]!.url;
  }
  return paths;
}

async function main(): Promise<void> {
  const connection = await connectDb(dbTargetFromEnv(process.env));
  try {
    const scope = await benchWorkspace(connection);
    const paths = await activateFlows(scope, benchFlows);
    process.stdout.write(`${JSON.stringify({ workspaceId: scope.workspaceId, paths })}\n`);
  } finally {
    await connection.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) void main();
