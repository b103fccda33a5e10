import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import { z } from "zod";
import { applyMigrations } from "../../prisma/migrate";
import { migrationNames } from "../../prisma/migration-names";
import { BackupError, createArchive, readArchive, type ArchiveWriter, type BackupKey } from "../backup/archive";
import { createSecretBox } from "../crypto/secret-box";
import { applicationName, type DbConnection } from "../db/connect";
import type { RawSql } from "../db/raw";
import { auditService } from "./audit-service";
import { keyRotationService } from "./key-rotation-service";

export const BACKUP_FORMAT = "streamware.backup/1";

/** Rows a table part holds at most, by size: a part is read whole on restore. */
const PART_BYTES = 8 * 1024 * 1024;
/** The largest part a restore reads: a bound on memory, whatever the file says. */
const MAX_PART_BYTES = 64 * 1024 * 1024;
const FETCH_ROWS = 1000;
const INSERT_BYTES = 4 * 1024 * 1024;

const header = z.object({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.string(),
  database: z.enum(["postgresql", "embedded"]),
  /** The migrations the database had: a restore takes its target to the same schema before loading rows. */
  migrations: z.array(z.string().regex(/^[0-9]{14}_[a-z0-9_]+$/)).min(1),
  /** The tables, in an order that loads every row after the rows it references. */
  tables: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/)),
});
export type BackupHeader = z.infer<typeof header>;

/** The instance's keys: credentials and SSO secrets in the rows are sealed with them. */
const secrets = z.object({ encryptionKeys: z.array(z.string().min(16)).min(1), sessionSecret: z.string().min(16).optional() });
export type BackupSecrets = z.infer<typeof secrets>;

const counts = z.object({ rows: z.number().int().min(0), bytes: z.number().int().min(0) });
const manifest = z.object({
  tables: z.record(z.string(), counts),
  binary: z.object({ files: z.number().int().min(0), bytes: z.number().int().min(0) }),
});
export type BackupManifest = z.infer<typeof manifest>;

export interface BackupSummary {
  header: BackupHeader;
  manifest: BackupManifest;
}

const TABLE_PART = /^tables\/([A-Za-z_][A-Za-z0-9_]{0,62})\/[0-9]{6}\.jsonl$/;
/** A workspace's folder, at the top of binary storage. */
const WORKSPACE_FOLDER = "[A-Za-z0-9_-]{1,64}";
/**
 * `binary/<workspace>/<object id>[/<file in a folder object>…]`, as binary storage names its files: objects still
 * being written (under a staging name) and anything else in the folder are not among them.
 */
const BINARY_FILE = new RegExp(`^binary/${WORKSPACE_FOLDER}/[0-9a-f-]{36}(/[A-Za-z0-9_][A-Za-z0-9._-]{0,127})*$`);

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value, null, 2));

/** Whether Streamware's migrations ever ran here: a database that was never started has no table of them. */
async function hasSchema(sql: RawSql): Promise<boolean> {
  const [exists] = await sql<{ present: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`, []);
  return Boolean(exists?.present);
}

async function appliedMigrations(sql: RawSql): Promise<string[]> {
  if (!(await hasSchema(sql))) throw new BackupError("The database holds no Streamware data yet (it was never started): there is nothing to back up.");
  const rows = await sql<{ name: string }>(
    `SELECT migration_name AS name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    [],
  );
  return rows.map((r) => r.name);
}

/** The schema's tables, each after the tables its foreign keys point at (where they do not point both ways). */
async function tablesInLoadOrder(sql: RawSql): Promise<string[]> {
  const tables = (
    await sql<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations' ORDER BY c.relname`,
      [],
    )
  ).map((r) => r.name);
  const edges = await sql<{ from: string; to: string }>(
    `SELECT src.relname AS "from", dst.relname AS "to" FROM pg_constraint co
       JOIN pg_class src ON src.oid = co.conrelid JOIN pg_class dst ON dst.oid = co.confrelid
       JOIN pg_namespace n ON n.oid = src.relnamespace
     WHERE co.contype = 'f' AND n.nspname = current_schema()`,
    [],
  );
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visit = (table: string, path: string[]) => {
    if (placed.has(table) || path.includes(table)) return;
    for (const edge of edges) if (edge.from === table && edge.to !== table) visit(edge.to, [...path, table]);
    placed.add(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

/** Each column of a table, with its type, and whether it holds JSON (kept as its text, so a JSON null stays one). */
async function columnsOf(sql: RawSql, table: string): Promise<{ name: string; type: string; json: boolean }[]> {
  return sql(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typname IN ('json', 'jsonb') AS json
     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [quote(table)],
  );
}

/** Writes a table's rows, one JSON object a line, in parts of about PART_BYTES. */
async function dumpTable(sql: RawSql, table: string, archive: ArchiveWriter): Promise<z.infer<typeof counts>> {
  const columns = await columnsOf(sql, table);
  const select = columns.map((c) => (c.json ? `${quote(c.name)}::text AS ${quote(c.name)}` : quote(c.name))).join(", ");
  await sql(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT row_to_json(r)::text AS line FROM (SELECT ${select} FROM ${quote(table)}) r`, []);
  const total = { rows: 0, bytes: 0 };
  let part: string[] = [];
  let partBytes = 0;
  let partNumber = 0;
  const flush = async () => {
    if (part.length === 0) return;
    const body = Buffer.from(part.join("\n") + "\n");
    await archive.add(`tables/${table}/${String(++partNumber).padStart(6, "0")}.jsonl`, body);
    total.bytes += body.length;
    part = [];
    partBytes = 0;
  };
  for (;;) {
    const rows = await sql<{ line: string }>(`FETCH ${FETCH_ROWS} FROM backup_rows`, []);
    if (rows.length === 0) break;
    for (const { line } of rows) {
      part.push(line);
      partBytes += line.length + 1;
      total.rows++;
      if (partBytes >= PART_BYTES) await flush();
    }
  }
  await flush();
  await sql(`CLOSE backup_rows`, []);
  return total;
}

async function entriesOf(dir: string, recursive: boolean) {
  return readdir(dir, { recursive, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
}

/**
 * Binary storage's own folders, one per workspace. The folder is often a volume's mount point, which may hold
 * things of its own (`lost+found`): those are neither backed up nor removed.
 */
async function workspaceFolders(binaryDir: string): Promise<string[]> {
  const own = new RegExp(`^${WORKSPACE_FOLDER}$`);
  return (await entriesOf(binaryDir, false)).filter((e) => e.isDirectory() && own.test(e.name)).map((e) => e.name);
}

/** Every whole file of binary storage, by its name under the folder. */
async function binaryFiles(binaryDir: string): Promise<string[]> {
  const names: string[] = [];
  for (const folder of await workspaceFolders(binaryDir)) {
    for (const e of await entriesOf(path.join(binaryDir, folder), true)) {
      const name = path.relative(binaryDir, path.join(e.parentPath, e.name)).split(path.sep).join("/");
      if (e.isFile() && BINARY_FILE.test(`binary/${name}`)) names.push(name);
    }
  }
  return names.sort();
}

async function addBinary(archive: ArchiveWriter, binaryDir: string): Promise<BackupManifest["binary"]> {
  const total = { files: 0, bytes: 0 };
  for (const name of await binaryFiles(binaryDir)) {
    const file = path.join(binaryDir, ...name.split("/"));
    // Run pruning may delete a file between the listing and here; what is gone is not backed up.
    const size = await stat(file).then((s) => s.size, () => null);
    if (size === null) continue;
    await archive.addFile(`binary/${name}`, file, size);
    total.files++;
    total.bytes += size;
  }
  return total;
}

async function readAll(body: Readable, limit: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BackupError(`The backup's entry ${name} is larger than ${limit} bytes; this version does not read it.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const lineCount = (body: Buffer) => {
  let n = 0;
  for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) n++;
  return n;
};

interface ReadHandlers {
  onTablePart?(table: string, body: Buffer): Promise<void>;
  onBinary?(name: string, body: Readable): Promise<void>;
}

/**
 * Reads a backup through, checking its structure and that it holds every row and file its manifest counts; the
 * handlers see each table part and binary file on the way.
 */
async function readBackup({ file, key, handlers = {} }: { file: string; key: BackupKey; handlers?: ReadHandlers }): Promise<BackupSummary & { secrets: BackupSecrets }> {
  let first: BackupHeader | undefined;
  let keys: BackupSecrets | undefined;
  let stated: BackupManifest | undefined;
  const seen: BackupManifest = { tables: {}, binary: { files: 0, bytes: 0 } };
  const parse = <T>(schema: z.ZodType<T>, body: Buffer, name: string): T => {
    try {
      return schema.parse(JSON.parse(body.toString("utf8")));
    } catch {
      throw new BackupError(`The backup's ${name} is not what this version writes; the file is not a Streamware backup, or is from an unknown version.`);
    }
  };
  await readArchive({
    file,
    key,
    async onEntry({ name, body, size }) {
      if (stated) throw new BackupError(`The backup has an entry (${name}) after its manifest; it was altered.`);
      if (!first) {
        if (name !== "backup.json") throw new BackupError(`${file} is not a Streamware backup: it does not start with backup.json.`);
        first = parse(header, await readAll(body, 1024 * 1024, name), name);
        return;
      }
      if (name === "secrets.json") {
        keys = parse(secrets, await readAll(body, 1024 * 1024, name), name);
        return;
      }
      if (name === "manifest.json") {
        stated = parse(manifest, await readAll(body, 16 * 1024 * 1024, name), name);
        return;
      }
      const part = TABLE_PART.exec(name);
      if (part) {
        const table = part[1]!;
        if (!first.tables.includes(table)) throw new BackupError(`The backup holds rows of ${table}, a table its header does not list; it was altered.`);
        const content = await readAll(body, MAX_PART_BYTES, name);
        const tally = (seen.tables[table] ??= { rows: 0, bytes: 0 });
        tally.rows += lineCount(content);
        tally.bytes += content.length;
        await handlers.onTablePart?.(table, content);
        return;
      }
      if (BINARY_FILE.test(name) && !name.split("/").includes("..")) {
        seen.binary.files++;
        seen.binary.bytes += size;
        if (handlers.onBinary) await handlers.onBinary(name.slice("binary/".length), body);
        return;
      }
      throw new BackupError(`The backup holds an entry this version does not know (${name.slice(0, 200)}).`);
    },
  });
  if (!first || !keys || !stated) throw new BackupError(`${file} is incomplete: it ends before its manifest.`);
  for (const table of first.tables) {
    const want = stated.tables[table] ?? { rows: 0, bytes: 0 };
    const got = seen.tables[table] ?? { rows: 0, bytes: 0 };
    if (want.rows !== got.rows || want.bytes !== got.bytes) {
      throw new BackupError(`The backup's table ${table} holds ${got.rows} rows where its manifest says ${want.rows}; it is incomplete.`);
    }
  }
  if (stated.binary.files !== seen.binary.files || stated.binary.bytes !== seen.binary.bytes) {
    throw new BackupError(`The backup holds ${seen.binary.files} binary files where its manifest says ${stated.binary.files}; it is incomplete.`);
  }
  return { header: first, manifest: stated, secrets: keys };
}

/** Tables of the current schema that hold at least one row, `_prisma_migrations` aside. */
async function occupiedTables(sql: RawSql): Promise<string[]> {
  const tables = await sql<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations' ORDER BY tablename`,
    [],
  );
  const occupied: string[] = [];
  for (const { name } of tables) {
    const [row] = await sql<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quote(name)}) AS any`, []);
    if (row?.any) occupied.push(name);
  }
  return occupied;
}

/** Drops every table and enum type of the current schema: what migrations build, from nothing, next. */
async function wipeSchema(sql: RawSql): Promise<void> {
  const tables = await sql<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`, []);
  if (tables.length) await sql(`DROP TABLE ${tables.map((t) => quote(t.name)).join(", ")} CASCADE`, []);
  const types = await sql<{ name: string }>(
    `SELECT t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = current_schema() AND t.typtype = 'e'`,
    [],
  );
  if (types.length) await sql(`DROP TYPE ${types.map((t) => quote(t.name)).join(", ")} CASCADE`, []);
}

/** Inserts a part's rows into their table, several hundred a statement. */
async function loadPart(sql: RawSql, table: string, body: Buffer, columns: Awaited<ReturnType<typeof columnsOf>>): Promise<void> {
  const definitions = columns.map((c) => `${quote(c.name)} ${c.json ? "text" : c.type}`).join(", ");
  const values = columns.map((c) => (c.json ? `r.${quote(c.name)}::${c.type}` : `r.${quote(c.name)}`)).join(", ");
  const statement = `INSERT INTO ${quote(table)} (${columns.map((c) => quote(c.name)).join(", ")}) SELECT ${values} FROM json_to_recordset($1::json) AS r(${definitions})`;
  const lines = body.toString("utf8").split("\n").filter(Boolean);
  let batch: string[] = [];
  let batchBytes = 0;
  for (const line of lines) {
    batch.push(line);
    batchBytes += line.length;
    if (batchBytes >= INSERT_BYTES || batch.length >= 1000) {
      await sql(statement, [`[${batch.join(",")}]`]);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length) await sql(statement, [`[${batch.join(",")}]`]);
}

/** Moves each sequence (auto-incremented ids) past the largest id the restored rows hold. */
async function advanceSequences(sql: RawSql): Promise<void> {
  const serials = await sql<{ table: string; column: string; sequence: string }>(
    `SELECT c.relname AS "table", a.attname AS "column", pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS sequence
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
     WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
       AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
    [],
  );
  for (const s of serials) {
    await sql(`SELECT setval($1::regclass, COALESCE((SELECT max(${quote(s.column)}) FROM ${quote(s.table)}), 0) + 1, false)`, [s.sequence]);
  }
}

export interface RestoreReport extends BackupSummary {
  /** Secrets sealed anew with this instance's key. */
  resealed: number;
  /** Migrations applied after the rows were loaded: those this version has and the backup's did not. */
  upgradedWith: string[];
}

/**
 * Backups of the whole instance (every table, binary storage, the keys its secrets are sealed with) into one
 * encrypted file, and restores of them into an empty instance (or, asked to, over one).
 */
export const backupService = {
  /**
   * Writes a backup of one consistent snapshot of the database and then the binary storage, reads it back to
   * check it, and only then gives it its name: `file` is a whole, readable backup or is not there.
   */
  async write({
    connection,
    file,
    key,
    binaryDir,
    keys,
  }: {
    connection: DbConnection;
    file: string;
    key: BackupKey;
    binaryDir: string;
    keys: BackupSecrets;
  }): Promise<BackupSummary> {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const partial = `${file}.partial`;
    const archive = await createArchive({ file: partial, key });
    let written: BackupManifest;
    let first: BackupHeader;
    try {
      const tables = await connection.transaction("snapshot", async (sql) => {
        const order = await tablesInLoadOrder(sql);
        first = {
          format: BACKUP_FORMAT,
          createdAt: new Date().toISOString(),
          database: connection.target.kind === "postgres" ? "postgresql" : "embedded",
          migrations: await appliedMigrations(sql),
          tables: order,
        };
        await archive.add("backup.json", json(first));
        await archive.add("secrets.json", json(keys));
        const tally: BackupManifest["tables"] = {};
        for (const table of order) tally[table] = await dumpTable(sql, table, archive);
        return tally;
      });
      written = { tables, binary: await addBinary(archive, binaryDir) };
      await archive.add("manifest.json", json(written));
      await archive.finish();
    } catch (err) {
      await archive.abort(err as Error);
      await rm(partial, { force: true });
      throw err;
    }
    try {
      await readBackup({ file: partial, key });
    } catch (err) {
      await rm(partial, { force: true });
      throw new BackupError(`The backup failed its check after writing, and was removed: ${(err as Error).message}`, { cause: err });
    }
    await rename(partial, file);
    return { header: first!, manifest: written };
  },

  /** Reads a backup through and checks it whole: its key, structure, and every row and file its manifest counts. */
  async verify({ file, key }: { file: string; key: BackupKey }): Promise<BackupSummary> {
    const { header: first, manifest: stated } = await readBackup({ file, key });
    return { header: first, manifest: stated };
  },

  /**
   * Restores a backup: checks the file whole first (so a bad file harms nothing), then empties the database and
   * the binary storage, applies the backup's migrations, loads its rows in one transaction, applies this
   * version's newer migrations, and seals every secret with this instance's key (`keyFor` chooses it, given the
   * backup's keys). Refuses a database or storage that holds anything unless `replace` is set.
   */
  async restore({
    connection,
    file,
    key,
    binaryDir,
    replace,
    keyFor,
  }: {
    connection: DbConnection;
    file: string;
    key: BackupKey;
    binaryDir: string;
    replace: boolean;
    keyFor(backup: BackupSecrets): Promise<{ currentKey: string; previousKeys: string[] }>;
  }): Promise<RestoreReport> {
    const checked = await readBackup({ file, key });
    const known = await migrationNames();
    const unknown = checked.header.migrations.filter((m) => !known.includes(m));
    if (unknown.length) {
      throw new BackupError(
        `The backup was made by a newer Streamware: this version does not have its migration ${unknown[0]}. Restore it with that version or a later one.`,
      );
    }
    // What the database holds, and which of Streamware's processes are connected to it, read on one connection.
    const { occupied, running } = await connection.transaction("snapshot", async (sql) => ({
      occupied: (await hasSchema(sql)) ? await occupiedTables(sql) : [],
      running:
        connection.target.kind === "postgres"
          ? await sql<{ role: string; connections: number }>(
              `SELECT application_name AS role, count(*)::int AS connections FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = ANY($1) GROUP BY 1 ORDER BY 1`,
              [[applicationName("web"), applicationName("worker")]],
            )
          : // Embedded, the data folder's lock keeps every other process out.
            [],
    }));
    const storedFiles = await binaryFiles(binaryDir);
    if (!replace && (occupied.length || storedFiles.length)) {
      const what = [occupied.length ? `the database holds rows (in ${occupied.slice(0, 5).join(", ")}${occupied.length > 5 ? ", …" : ""})` : "", storedFiles.length ? `binary storage holds ${storedFiles.length} files` : ""]
        .filter(Boolean)
        .join(" and ");
      throw new BackupError(`This instance is not empty: ${what}. A restore replaces all of it; run it again with --replace (after a backup of this instance, if you may need it).`);
    }
    if (running.length) {
      const held = running.map((r) => `${r.role === applicationName("web") ? "web processes" : "workers"}: ${r.connections} connection${r.connections === 1 ? "" : "s"}`).join(", ");
      throw new BackupError(`Streamware is running against this database (${held}): stop the server and the workers first, since a restore replaces everything they work on.`);
    }
    await connection.transaction("write", wipeSchema);
    // The folder itself stays: a mount point cannot be removed.
    for (const folder of await workspaceFolders(binaryDir)) await rm(path.join(binaryDir, folder), { recursive: true, force: true });
    await applyMigrations({ adapterFactory: connection.adapterFactory, through: checked.header.migrations.at(-1)! });
    await connection.transaction("write", async (sql) => {
      // Tables reference each other both ways (a flow its live version, a version its flow): the foreign keys are
      // checked once every row is in, then made immediate again as the migrations defined them.
      const foreignKeys = await sql<{ table: string; name: string }>(
        `SELECT conrelid::regclass::text AS "table", quote_ident(conname) AS name FROM pg_constraint
         WHERE contype = 'f' AND NOT condeferrable AND connamespace = current_schema()::regnamespace`,
        [],
      );
      for (const fk of foreignKeys) await sql(`ALTER TABLE ${fk.table} ALTER CONSTRAINT ${fk.name} DEFERRABLE INITIALLY DEFERRED`, []);
      const columns = new Map<string, Awaited<ReturnType<typeof columnsOf>>>();
      for (const table of checked.header.tables) columns.set(table, await columnsOf(sql, table));
      await readBackup({
        file,
        key,
        handlers: {
          onTablePart: (table, body) => loadPart(sql, table, body, columns.get(table)!),
          async onBinary(name, body) {
            const target = path.join(binaryDir, ...name.split("/"));
            await mkdir(path.dirname(target), { recursive: true });
            await pipeline(body, createWriteStream(target, { flags: "wx" }));
          },
        },
      });
      await advanceSequences(sql);
      await sql(`SET CONSTRAINTS ALL IMMEDIATE`, []);
      for (const fk of foreignKeys) await sql(`ALTER TABLE ${fk.table} ALTER CONSTRAINT ${fk.name} NOT DEFERRABLE`, []);
    });
    const { applied } = await applyMigrations({ adapterFactory: connection.adapterFactory });
    const target = await keyFor(checked.secrets);
    const box = createSecretBox({ currentKey: target.currentKey, previousKeys: [...target.previousKeys, ...checked.secrets.encryptionKeys] });
    const rotation = await keyRotationService.rotate({ db: connection.db, box });
    const rows = Object.values(checked.manifest.tables).reduce((sum, t) => sum + t.rows, 0);
    // The instance's own log says when its data came back, and from which backup.
    await connection.db.$transaction((tx) =>
      auditService.record({
        tx,
        entry: {
          workspaceId: null,
          actorId: null,
          actorKind: "system",
          action: "instance.restore",
          targetType: "instance",
          data: { backupCreatedAt: checked.header.createdAt, from: checked.header.database, rows, binaryFiles: checked.manifest.binary.files, resealed: rotation.rotated.credentials + rotation.rotated.ssoSecrets },
        },
      }),
    );
    return {
      header: checked.header,
      manifest: checked.manifest,
      resealed: rotation.rotated.credentials + rotation.rotated.ssoSecrets,
      upgradedWith: applied,
    };
  },
};
