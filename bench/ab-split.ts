// What assigning an item to an A/B variant costs: the hash alone, and the split node with its store (one SQL
// statement per batch) on PostgreSQL and embedded PGlite, for first sights and repeat visits, one item per run
// and 1,000 per run, and 20 runs at once; and the goal node.
//   node --import tsx bench/ab-split.ts [--db=postgres,pglite] [--runs=500]
// Prints `BENCH <name> <value> <unit>` lines. BENCH_DATABASE_URL is the administrative connection for PostgreSQL
// (a scratch database is created and dropped).
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { abGoalNode } from "../nodes/ab-split/ab-goal.node";
import { abSplitNode } from "../nodes/ab-split/ab-split.node";
import { hashPoint, variantAt } from "../nodes/ab-split/assignment";
import type { Item } from "../nodes/_kit/items";
import { runNode } from "../runner/node-testing";
import { applyMigrations } from "../prisma/migrate";
import { LocalBinaryStore } from "../runner/binary-store";
import { createHttpClient } from "../runner/http-client";
import { connectDb, type DbConnection } from "../server/db/connect";
import { experimentStore } from "../server/services/ab-test-service";
import { flowService } from "../server/services/flow-service";
import { userService } from "../server/services/user-service";
import { workspaceService } from "../server/services/workspace-service";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2) as [string, string]));
const kinds = (args.db ?? "postgres,pglite").split(",");
const runs = Number(args.runs ?? 500);
const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const variants = [
  { name: "control", weight: 50 },
  { name: "green", weight: 30 },
  { name: "red", weight: 20 },
];
/** The line the other bench scripts print: `BENCH <name> <value> <unit>`. */
const report = (name: string, value: string, unit: string) => process.stdout.write(`BENCH ${name} ${value} ${unit}\n`);
const visitors = (keys: string[]): Item[] => keys.map((userId) => ({ json: { body: { userId } } }));
const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

function hashOnly(): void {
  const list = keys("user", 200_000);
  let sink = 0;
  const started = performance.now();
  for (const key of list) sink += variantAt({ variants, point: hashPoint({ experiment: "bench", key }) }).length;
  const us = ((performance.now() - started) * 1000) / list.length;
  if (sink === 0) throw new Error("nothing assigned");
  report("ab.hash_assign", us.toFixed(2), "us/item");
}

async function database(kind: string): Promise<{ connection: DbConnection; drop: () => Promise<void> }> {
  if (kind === "pglite") {
    const connection = await connectDb({ kind: "pglite", dataDir: null });
    await applyMigrations({ adapterFactory: connection.adapterFactory });
    return { connection, drop: async () => {} };
  }
  const name = `streamware_bench_${randomUUID().replaceAll("-", "")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client(adminUrl);
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const connection = await connectDb({ kind: "postgres", url: url.toString() });
  await applyMigrations({ adapterFactory: connection.adapterFactory });
  return { connection, drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function measure(kind: string): Promise<void> {
  const { connection, drop } = await database(kind);
  const db = connection.db;
  try {
    const user = await userService.signIn({ db, identity: { provider: "dev", email: "bench@example.test", name: "Bench" } });
    const [workspace] = await workspaceService.listForUser({ db, userId: user.id });
    const flow = await flowService.create({ db, userId: user.id, workspaceId: workspace!.id, name: "A/B bench" });
    const experiments = experimentStore({ db, workspaceId: workspace!.id, flowId: flow.id });
    const shared = { experiments, binary: new LocalBinaryStore(mkdtempSync(path.join(os.tmpdir(), "ab-bench-"))), http: createHttpClient({ allow: [] }) };
    const split = (input: Item[]) => runNode(abSplitNode, { ...shared, input, config: { experiment: "bench", key: "{{ body.userId }}", variants } });
    const goal = (input: Item[]) => runNode(abGoalNode, { ...shared, input, config: { experiment: "bench", key: "{{ body.userId }}" } });
    await split(visitors(keys("warm", 200)));

    const timed = async (name: string, items: number, work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      const perItemUs = ((performance.now() - started) * 1000) / items;
      report(`ab.${kind}.${name}`, perItemUs >= 1000 ? (perItemUs / 1000).toFixed(3) : perItemUs.toFixed(1), perItemUs >= 1000 ? "ms/item" : "us/item");
    };
    // The store alone: one statement per batch, without the node harness (config, expressions, items).
    const direct = keys("direct", runs);
    const entry = (key: string) => ({ key, proposed: variantAt({ variants, point: hashPoint({ experiment: "bench", key }) }) });
    await timed("store_assign_first_seen_1_per_call", runs, async () => {
      for (const key of direct) await experiments.assign({ experiment: "bench", variants, control: "control", entries: [entry(key)] });
    });
    await timed("store_assign_repeat_1_per_call", runs, async () => {
      for (const key of direct) await experiments.assign({ experiment: "bench", variants, control: "control", entries: [entry(key)] });
    });
    const single = keys("single", runs);
    await timed("split_first_seen_1_per_run", runs, async () => {
      for (const key of single) await split(visitors([key]));
    });
    await timed("split_repeat_1_per_run", runs, async () => {
      for (const key of single) await split(visitors([key]));
    });
    const batch = keys("batch", 1000);
    await timed("split_first_seen_1000_per_run", 1000, () => split(visitors(batch)));
    await timed("split_repeat_1000_per_run", 1000, () => split(visitors(batch)));
    const parallel = keys("parallel", runs);
    await timed("split_first_seen_20_concurrent_runs", runs, async () => {
      let next = 0;
      await Promise.all(Array.from({ length: 20 }, async () => {
        while (next < parallel.length) await split(visitors([parallel[next++]!]));
      }));
    });
    await timed("goal_1_per_run", runs, async () => {
      for (const key of single) await goal(visitors([key]));
    });
    await timed("goal_1000_per_run", 1000, () => goal(visitors(batch)));
  } finally {
    await connection.close();
    await drop();
  }
}

async function main(): Promise<void> {
  hashOnly();
  for (const kind of kinds) await measure(kind);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
