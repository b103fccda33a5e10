import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generateIdentity } from "age-encryption";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalBinaryStore } from "../runner/binary-store";
import type { Runtime } from "../runner/runtime";
import { runCli } from "./cli-process";
import { createSecretBox } from "./crypto/secret-box";
import { applyMigrations } from "../prisma/migrate";
import { applicationName, connectDb, type DbConnection } from "./db/connect";
import { rawSql } from "./db/raw";
import { createEmptyTestDatabase, createTestDatabase } from "./db/test-databases";
import { signInAs } from "./routers/test-helpers";
import { credentialService, openCredentialForRun } from "./services/credential-service";
import { startTestRuntime } from "./test-runtime";

const newKey = () => randomBytes(32).toString("base64");

const document = {
  schema: "streamware.flow/1",
  nodes: [
    { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 }, config: {} },
    { id: "set", name: "Set", type: "core.set", position: { x: 200, y: 0 }, config: { fields: [{ name: "greeting", value: "hello {{ $json.name }}" }] } },
  ],
  edges: [{ id: "e0", source: "start", target: "set" }],
};

/**
 * Every table's row count and a digest of its rows: two databases with the same data give the same. A restore adds
 * one event to the instance's audit log (and moves its chain's head), which is left out here and checked apart.
 */
async function fingerprint(connection: DbConnection, leaveOut: string[] = []): Promise<Record<string, string>> {
  const sql = rawSql(connection.db);
  const tables = await sql<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations' ORDER BY 1`, []);
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    if (leaveOut.includes(name) || name === "AuditChain") continue;
    const where = name === "AuditEvent" ? `WHERE action <> 'instance.restore'` : "";
    const [row] = await sql<{ rows: number; digest: string | null }>(`SELECT count(*)::int AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM "${name}" t ${where}`, []);
    result[name] = `${row!.rows} ${row!.digest ?? "-"}`;
  }
  return result;
}

describe("npm run cli -- backup and restore", () => {
  let connection: DbConnection;
  let dir: string;
  let runtime: Runtime;
  const sourceKey = newKey();
  let backupKey: string;

  beforeAll(async () => {
    connection = await createTestDatabase("postgres");
    dir = await mkdtemp(path.join(os.tmpdir(), "streamware-backup-"));
    runtime = await startTestRuntime({ db: connection.db });
    backupKey = await generateIdentity();
  });
  afterAll(async () => {
    await runtime?.close();
    await connection?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function cli({ key, binaryDir, backup = backupKey }: { key: string; binaryDir: string; backup?: string }, ...args: string[]) {
    if (connection.target.kind !== "postgres") throw new Error("expected a PostgreSQL test database");
    const { REDIS_URL: _redis, BACKUP_KEY: _key, ...inherited } = process.env;
    return runCli({ ...inherited, DATABASE_URL: connection.target.url, DATA_DIR: dir, BINARY_DIR: binaryDir, NEXTAUTH_SECRET: newKey(), STREAMWARE_ENCRYPTION_KEY: key, BACKUP_KEY: backup, LOG_LEVEL: "warn" }, args);
  }

  // Each CLI call is a process of its own that opens the database: several of them take a while on a busy machine.
  it("backs up, and after a wipe restores every flow, version, run, audit event, binary file and credential (still decryptable, under the new instance's key)", { timeout: 180_000 }, async () => {
    const { db } = connection;
    const sourceBox = createSecretBox({ currentKey: sourceKey });
    const ada = await signInAs({ db, name: "Ada" });
    const workspaceId = ada.workspace.id;
    const flow = await ada.caller.flow.create({ workspaceId, name: "Greeter", document: document as never });
    await ada.caller.flow.saveVersion({ workspaceId, flowId: flow.id, document: document as never, message: "v1" });
    await ada.caller.flow.saveVersion({ workspaceId, flowId: flow.id, document: { ...document, nodes: document.nodes.map((n) => ({ ...n, position: { x: n.position.x, y: 40 } })) } as never, message: "v2" });
    for (const name of ["Ada", "Bo"]) {
      const { runId } = await ada.caller.run.start({ workspaceId, flowId: flow.id, input: [{ json: { name } }] } as never);
      expect((await runtime.waitForRun(runId, 15_000)).status).toBe("succeeded");
    }
    const credential = await credentialService.create({ db, box: sourceBox, userId: ada.user.id, workspaceId, name: "Shop", type: "http.header-auth", data: { name: "X-Key", value: "ada-secret" } });
    const binaryDir = path.join(dir, "binary");
    const picture = randomBytes(300_000);
    const stored = await new LocalBinaryStore(binaryDir).put(picture, { workspaceId, mimeType: "image/png", fileName: "picture.png" });

    const before = await fingerprint(connection, ["Credential"]);
    expect(before.Run).toMatch(/^2 /);
    expect(before.FlowVersion).toMatch(/^2 /);
    expect(Number(before.AuditEvent!.split(" ")[0])).toBeGreaterThan(2);

    const file = path.join(dir, "instance.backup");
    const made = await cli({ key: sourceKey, binaryDir }, "backup", "--out", file);
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^Wrote and checked .*instance\.backup \([0-9.]+ (kB|MB)\): made .* from PostgreSQL at migration \d{14}_\w+; \d+ rows in \d+ tables \(1 Workspace, 1 Flow, 2 FlowVersion, 1 Credential, 2 Run, \d+ AuditEvent\); 1 binary files \(293 kB\)\.\n$/);
    // Encrypted: none of what it holds shows in the file.
    const bytes = await readFile(file);
    expect(bytes.includes(Buffer.from("Greeter"))).toBe(false);
    expect(bytes.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");

    // A restore over an instance that holds data is refused, and changes nothing.
    const refused = await cli({ key: sourceKey, binaryDir }, "restore", file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^This instance is not empty: the database holds rows \(in .*\) and binary storage holds 1 files\. A restore replaces all of it; run it again with --replace/);
    expect(await fingerprint(connection, ["Credential"])).toEqual(before);

    // The wipe: every table and binary file gone.
    await rawSql(db)(`DROP SCHEMA public CASCADE`, []);
    await rawSql(db)(`CREATE SCHEMA public`, []);
    await rm(binaryDir, { recursive: true, force: true });

    // While a web process or worker is connected, a restore is refused: it would replace what they work on.
    const worker = new pg.Client({ connectionString: connection.target.kind === "postgres" ? connection.target.url : "", application_name: applicationName("worker") });
    await worker.connect();
    try {
      const running = await cli({ key: newKey(), binaryDir }, "restore", file);
      expect(running).toMatchObject({ code: 1, stderr: expect.stringContaining("Streamware is running against this database (workers: 1 connection): stop the server and the workers first") });
    } finally {
      await worker.end();
    }

    // The restored instance has a key of its own: the backup's secrets are sealed with it.
    const restoredKey = newKey();
    const restored = await cli({ key: restoredKey, binaryDir }, "restore", file);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^Restored .*; sealed 1 secrets with this instance's key\.\n$/);
    expect(await fingerprint(connection, ["Credential"])).toEqual(before);
    const restoredBox = createSecretBox({ currentKey: restoredKey });
    expect(await openCredentialForRun({ db, box: restoredBox, workspaceId, ref: { id: credential.id, name: "Shop" }, type: "http.header-auth" })).toEqual({ name: "X-Key", value: "ada-secret" });
    expect(await new LocalBinaryStore(binaryDir).read(workspaceId, stored)).toEqual(picture);
    // The instance's log says the data came back; every other table is as it was (checked above).
    const restoreEvent = await db.auditEvent.findFirst({ where: { workspaceId: null, action: "instance.restore" } });
    expect(restoreEvent).toMatchObject({ actorKind: "system", targetType: "instance", data: { from: "postgresql", binaryFiles: 1, resealed: 1 } });
    // The audit log's hash chain holds across the restore.
    const audit = await cli({ key: restoredKey, binaryDir }, "audit", "verify", "--workspace", ada.workspace.slug);
    expect(audit).toMatchObject({ code: 0 });
    expect(audit.stdout).toMatch(/^The audit log of ada-s-workspace\S* is intact: \d+ events checked\.\n$/);
    const instanceAudit = await cli({ key: restoredKey, binaryDir }, "audit", "verify", "--instance");
    expect(instanceAudit).toMatchObject({ code: 0, stdout: expect.stringMatching(/is intact: \d+ events checked/) });
    // The restored instance works: a new run is stored beside the old ones.
    const { runId } = await ada.caller.run.start({ workspaceId, flowId: flow.id, input: [{ json: { name: "Cy" } }] } as never);
    expect((await runtime.waitForRun(runId, 15_000)).status).toBe("succeeded");
    expect(await db.run.count({ where: { flowId: flow.id } })).toBe(3);
  });

  it("refuses a wrong key, a damaged file and a cut-off file with words a person can act on, and harms nothing", { timeout: 180_000 }, async () => {
    const binaryDir = path.join(dir, "binary");
    const file = path.join(dir, "check.backup");
    expect((await cli({ key: newKey(), binaryDir }, "backup", "--out", file)).code).toBe(0);
    const before = await fingerprint(connection);

    const wrong = await cli({ key: newKey(), binaryDir, backup: await generateIdentity() }, "restore", file, "--replace");
    expect(wrong).toMatchObject({ code: 1, stderr: `The backup key does not open ${file}: it was made with another key or passphrase.\n` });

    const bytes = await readFile(file);
    const damaged = Buffer.from(bytes);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x40;
    await writeFile(path.join(dir, "damaged.backup"), damaged);
    const flipped = await cli({ key: newKey(), binaryDir }, "restore", path.join(dir, "damaged.backup"), "--replace");
    expect(flipped.code).toBe(1);
    expect(flipped.stderr).toMatch(/damaged.backup is damaged or cut off \(.*\); it cannot be trusted\.\n$/);

    await writeFile(path.join(dir, "cut.backup"), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const cut = await cli({ key: newKey(), binaryDir }, "restore", path.join(dir, "cut.backup"), "--replace");
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/cut.backup is damaged or cut off/);

    const noKey = await cli({ key: newKey(), binaryDir, backup: "" }, "restore", file);
    expect(noKey).toMatchObject({ code: 1, stderr: expect.stringContaining("Give the backup key: set BACKUP_KEY, or pass --key-file <file>") });
    const shortPassphrase = await cli({ key: newKey(), binaryDir, backup: "hunter2" }, "backup", "--out", path.join(dir, "weak.backup"));
    expect(shortPassphrase).toMatchObject({ code: 1, stderr: expect.stringContaining("BACKUP_KEY must be a passphrase of at least 16 characters") });
    await expect(stat(path.join(dir, "weak.backup"))).rejects.toThrow();

    const dryRun = await cli({ key: newKey(), binaryDir }, "restore", file, "--dry-run");
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(/check\.backup is whole and opens with this key: made .*\. Nothing was written\.\n$/);
    expect(await fingerprint(connection)).toEqual(before);
  });
});

describe("npm run cli -- backup and restore, binary storage on a volume", () => {
  let connection: DbConnection;
  let dir: string;
  beforeAll(async () => {
    connection = await createTestDatabase("postgres");
    dir = await mkdtemp(path.join(os.tmpdir(), "streamware-backup-volume-"));
  });
  afterAll(async () => {
    await connection?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const key = newKey();
  function cli(binaryDir: string, ...args: string[]) {
    if (connection.target.kind !== "postgres") throw new Error("expected a PostgreSQL test database");
    const { REDIS_URL: _redis, ...inherited } = process.env;
    const env = { ...inherited, DATABASE_URL: connection.target.url, DATA_DIR: dir, BINARY_DIR: binaryDir, NEXTAUTH_SECRET: newKey(), STREAMWARE_ENCRYPTION_KEY: key, BACKUP_KEY: "correct horse battery staple", LOG_LEVEL: "warn" };
    return runCli(env, args);
  }

  it("keeps binary storage's folder, a volume's mount point, and leaves out and in place what else the volume holds", async () => {
    const binaryDir = path.join(dir, "volume");
    const mo = await signInAs({ db: connection.db, name: "Mo" });
    const stored = await new LocalBinaryStore(binaryDir).put(Buffer.from("a recording"), { workspaceId: mo.workspace.id, mimeType: "audio/wav" });
    await mkdir(path.join(binaryDir, "lost+found"));
    await writeFile(path.join(binaryDir, "lost+found", "#1234"), "found by fsck");
    const folder = await stat(binaryDir);

    const file = path.join(dir, "volume.backup");
    const made = await cli(binaryDir, "backup", "--out", file);
    expect(made.stderr).toBe("");
    expect(made.stdout).toMatch(/; 1 binary files \(1 kB\)\.\n$/);

    const restored = await cli(binaryDir, "restore", file, "--replace");
    expect(restored).toMatchObject({ code: 0, stderr: "" });
    expect((await stat(binaryDir)).ino).toBe(folder.ino);
    expect(await readFile(path.join(binaryDir, "lost+found", "#1234"), "utf8")).toBe("found by fsck");
    expect(await new LocalBinaryStore(binaryDir).read(mo.workspace.id, stored)).toEqual(Buffer.from("a recording"));
  });
});

describe("npm run cli -- backup and restore, embedded", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "streamware-backup-embedded-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function cli(dataDir: string, ...args: string[]) {
    const { REDIS_URL: _redis, DATABASE_URL: _db, STREAMWARE_ENCRYPTION_KEY: _k, NEXTAUTH_SECRET: _s, BINARY_DIR: _b, ...inherited } = process.env;
    return runCli({ ...inherited, DATA_DIR: dataDir, BACKUP_KEY: "correct horse battery staple", LOG_LEVEL: "warn" }, args);
  }

  async function openDataFolder(dataDir: string): Promise<DbConnection> {
    return connectDb({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
  }

  it("moves a data folder (rows, keys, binary files) into a new one, encrypted with a passphrase", { timeout: 180_000 }, async () => {
    const source = path.join(dir, "source");
    const seeded = await openDataFolder(source);
    await applyMigrations({ adapterFactory: seeded.adapterFactory });
    const ada = await signInAs({ db: seeded.db, name: "Ada" });
    await ada.caller.flow.create({ workspaceId: ada.workspace.id, name: "Greeter", document: document as never });
    const sourceFingerprint = await fingerprint(seeded);
    await seeded.close();
    await new LocalBinaryStore(path.join(source, "binary")).put(Buffer.from("a recording"), { workspaceId: ada.workspace.id, mimeType: "audio/wav" });

    const file = path.join(dir, "embedded.backup");
    const made = await cli(source, "backup", "--out", file);
    expect(made.stderr).toBe("");
    expect(made.stdout).toMatch(/from the embedded database at migration .*; 1 binary files \(1 kB\)\.\n$/);

    const target = path.join(dir, "target");
    const restored = await cli(target, "restore", file);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    // Without a key of its own, the new folder takes the backup's: what was sealed or signed stays valid.
    expect(JSON.parse(await readFile(path.join(target, "secrets.json"), "utf8"))).toEqual(JSON.parse(await readFile(path.join(source, "secrets.json"), "utf8")));
    const reopened = await openDataFolder(target);
    try {
      expect(await fingerprint(reopened)).toEqual(sourceFingerprint);
    } finally {
      await reopened.close();
    }

    // The same backup restores into PostgreSQL: the format is the rows, not either database's files.
    const postgres = await createEmptyTestDatabase("postgres");
    try {
      if (postgres.target.kind !== "postgres") throw new Error("expected a PostgreSQL test database");
      const key = randomBytes(32).toString("base64");
      const { REDIS_URL: _redis, ...inherited } = process.env;
      const intoPostgres = await runCli(
        { ...inherited, DATABASE_URL: postgres.target.url, DATA_DIR: path.join(dir, "postgres"), NEXTAUTH_SECRET: newKey(), STREAMWARE_ENCRYPTION_KEY: key, BACKUP_KEY: "correct horse battery staple", LOG_LEVEL: "warn" },
        ["restore", file],
      );
      expect(intoPostgres.stderr).toBe("");
      expect(intoPostgres.code).toBe(0);
      expect(await fingerprint(postgres)).toEqual(sourceFingerprint);
    } finally {
      await postgres.close();
    }
  });
});
