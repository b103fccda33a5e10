// `npm run bench:backup [-- --runs=50000]`: how long a backup and a restore of an instance with that many runs (three
// steps each) take, and the file's size: PostgreSQL into PostgreSQL, and the same backup into the embedded database.
// pg_dump of the same database, where it is installed, is the baseline. Prints `BENCH <name> <value> <unit>` lines.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generateIdentity } from "age-encryption";
import pg from "pg";
import { applyMigrations } from "../prisma/migrate";
import { parseBackupKey } from "../server/backup/archive";
import { connectDb, type DbConnection } from "../server/db/connect";
import { rawSql } from "../server/db/raw";
import { backupService } from "../server/services/backup-service";
import { flowService } from "../server/services/flow-service";
import { userService } from "../server/services/user-service";
import { workspaceService } from "../server/services/workspace-service";

const report = (name: string, value: number, unit: string) => process.stdout.write(`BENCH ${name} ${value} ${unit}\n`);

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
const runs = Number(args.runs ?? 50_000);
const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const created: string[] = [];

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function newDatabase(): Promise<DbConnection> {
  const name = `streamware_bench_backup_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin(`CREATE DATABASE "${name}"`);
  created.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return connectDb({ kind: "postgres", url: url.toString() });
}

/** One workspace with one flow, and `runs` finished runs of it, each with three steps of a few hundred bytes. */
async function seed(connection: DbConnection): Promise<void> {
  const { db } = connection;
  await applyMigrations({ adapterFactory: connection.adapterFactory });
  const user = await userService.signIn({ db, identity: { provider: "dev", email: "bench@example.test", name: "Bench" } });
  const [workspace] = await workspaceService.listForUser({ db, userId: user.id });
  const document = {
    schema: "streamware.flow/1",
    nodes: [{ id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 }, config: {} }],
    edges: [],
  };
  const flow = await flowService.create({ db, userId: user.id, workspaceId: workspace!.id, name: "Orders", document: document as never });
  const sql = rawSql(db);
  const item = `'[{"json":{"order":1234,"customer":"Ada Lovelace","total":99.5,"lines":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}]}}]'::jsonb`;
  for (let from = 1; from <= runs; from += 10_000) {
    const to = Math.min(runs, from + 9_999);
    await sql(
      `INSERT INTO "Run" (id, "workspaceId", "flowId", status, trigger, input, output, "queuedAt", "startedAt", "finishedAt")
       SELECT 'run-' || g, $1, $2, 'succeeded', 'webhook', ${item}, ${item}, now() - g * interval '1 second', now() - g * interval '1 second', now() - g * interval '1 second' + interval '40 ms'
       FROM generate_series($3::int, $4::int) g`,
      [workspace!.id, flow.id, from, to],
    );
    await sql(
      `INSERT INTO "Step" ("workspaceId", "runId", "nodeId", "nodeName", "nodeType", status, input, output, "startedAt", "finishedAt", "durationMs")
       SELECT $1, 'run-' || g, 'node-' || s, 'Node ' || s, 'core.set', 'succeeded', ${item}, ${item}, now(), now(), 3
       FROM generate_series($2::int, $3::int) g, generate_series(1, 3) s`,
      [workspace!.id, from, to],
    );
  }
}

const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(2));

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "streamware-bench-backup-"));
  const key = parseBackupKey(await generateIdentity(), "bench");
  const keys = { encryptionKeys: [Buffer.alloc(32, 1).toString("base64")] };
  const keyFor = async () => ({ currentKey: keys.encryptionKeys[0]!, previousKeys: [] });
  const source = await newDatabase();
  try {
    await seed(source);
    const file = path.join(dir, "bench.backup");
    let started = performance.now();
    const { manifest } = await backupService.write({ connection: source, file, key, binaryDir: path.join(dir, "binary"), keys });
    const rows = Object.values(manifest.tables).reduce((sum, t) => sum + t.rows, 0);
    report("backup.rows", rows, "rows");
    report("backup.postgres.write_and_check", seconds(started), "s");
    report("backup.size", Number(((await stat(file)).size / 1024 / 1024).toFixed(1)), "MB");
    if (source.target.kind === "postgres") {
      const dump = path.join(dir, "bench.pgdump");
      started = performance.now();
      const pgDump = spawnSync("pg_dump", ["--format=custom", `--file=${dump}`, source.target.url], { stdio: ["ignore", "ignore", "pipe"] });
      if (pgDump.status === 0) {
        report("baseline.pg_dump", seconds(started), "s");
        report("baseline.pg_dump.size", Number(((await stat(dump)).size / 1024 / 1024).toFixed(1)), "MB");
      } else process.stderr.write(`pg_dump is not available here, so no baseline: ${pgDump.error?.message ?? pgDump.stderr.toString().trim()}\n`);
    }

    const target = await newDatabase();
    try {
      started = performance.now();
      await backupService.restore({ connection: target, file, key, binaryDir: path.join(dir, "restored-binary"), replace: false, keyFor });
      report("restore.postgres", seconds(started), "s");
    } finally {
      await target.close();
    }

    const embedded = await connectDb({ kind: "pglite", dataDir: path.join(dir, "pglite") });
    try {
      started = performance.now();
      await backupService.restore({ connection: embedded, file, key, binaryDir: path.join(dir, "embedded-binary"), replace: false, keyFor });
      report("restore.embedded", seconds(started), "s");
      // Embedded, requests wait while the snapshot is read: this is how long.
      started = performance.now();
      await backupService.write({ connection: embedded, file: path.join(dir, "embedded.backup"), key, binaryDir: path.join(dir, "embedded-binary"), keys });
      report("backup.embedded.write_and_check", seconds(started), "s");
    } finally {
      await embedded.close();
    }
  } finally {
    await source.close();
    for (const name of created) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
