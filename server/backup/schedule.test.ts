import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generateIdentity } from "age-encryption";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbConnection } from "../db/connect";
import { createTestDatabase } from "../db/test-databases";
import { parseEnv } from "../env";
import { signInAs } from "../routers/test-helpers";
import { backupService } from "../services/backup-service";
import { parseBackupKey } from "./archive";
import { backupScheduleSettings, pruneBackups, scheduledBackupName, startBackupSchedule } from "./schedule";

describe("scheduled backups", () => {
  let connection: DbConnection;
  let dir: string;
  beforeAll(async () => {
    connection = await createTestDatabase("postgres");
    dir = await mkdtemp(path.join(os.tmpdir(), "streamware-backup-schedule-"));
  });
  afterAll(async () => {
    await connection?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("are written at each time the schedule gives, once across processes, keeping the newest BACKUP_RETAIN", async () => {
    await signInAs({ db: connection.db, name: "Ada" });
    const identity = await generateIdentity();
    const config = parseEnv({
      DATA_DIR: dir,
      STREAMWARE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      BACKUP_SCHEDULE: "* * * * * *",
      BACKUP_KEY: identity,
      BACKUP_RETAIN: "2",
    });
    const settings = backupScheduleSettings(config)!;
    expect(settings).toMatchObject({ cron: "* * * * * *", dir: path.join(dir, "backups"), retain: 2 });
    // Another process's leftovers: a half-written backup goes, a file of the operator's stays.
    await rm(settings.dir, { recursive: true, force: true });
    await mkdir(settings.dir, { recursive: true });
    await writeFile(path.join(settings.dir, `${scheduledBackupName(new Date(0))}.partial`), "half");
    await writeFile(path.join(settings.dir, "notes.txt"), "mine");

    // Two processes keep the same schedule; one claim per due time decides which writes it.
    const claimed = new Set<string>();
    const outcomes: boolean[] = [];
    const schedules = [1, 2].map(() =>
      startBackupSchedule({
        settings,
        config,
        connection,
        logger: pino({ level: "silent" }),
        claim: async (due) => !claimed.has(due.toISOString()) && Boolean(claimed.add(due.toISOString())),
        finished: ({ ok }) => outcomes.push(ok),
      }),
    );
    try {
      await expect.poll(() => outcomes.length, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    } finally {
      await Promise.all(schedules.map((s) => s.stop()));
    }
    expect(outcomes.every(Boolean)).toBe(true);
    const files = (await readdir(settings.dir)).sort();
    expect(files).toHaveLength(3);
    expect(files).toContain("notes.txt");
    const backups = files.filter((name) => name !== "notes.txt");
    expect(backups.every((name) => /^streamware-\d{8}T\d{6}Z\.backup$/.test(name))).toBe(true);
    for (const name of backups) {
      const { manifest } = await backupService.verify({ file: path.join(settings.dir, name), key: parseBackupKey(identity, "test") });
      expect(manifest.tables.Workspace?.rows).toBeGreaterThanOrEqual(1);
    }
  });

  it("keep what is not theirs when pruning, and refuse a schedule or key that cannot work, saying which", async () => {
    const folder = await mkdtemp(path.join(dir, "prune-"));
    const names = [0, 1, 2, 3].map((day) => scheduledBackupName(new Date(Date.UTC(2026, 11, 1 + day, 3))));
    for (const name of [...names, "streamware-manual.backup"]) await writeFile(path.join(folder, name), "x");
    expect(await pruneBackups({ dir: folder, retain: 2 })).toEqual(names.slice(0, 2));
    expect((await readdir(folder)).sort()).toEqual([...names.slice(2), "streamware-manual.backup"].sort());
    expect(names[0]).toBe("streamware-20261201T030000Z.backup");

    const base = { DATA_DIR: dir, BACKUP_KEY: "a passphrase of enough length" };
    expect(() => backupScheduleSettings(parseEnv({ ...base, BACKUP_SCHEDULE: "61 3 * * *" }))).toThrow(/^BACKUP_SCHEDULE: .*minute field: "61" is out of range/);
    expect(() => backupScheduleSettings(parseEnv({ ...base, BACKUP_SCHEDULE: "0 3 * * *", BACKUP_KEY: "short" }))).toThrow("BACKUP_KEY must be a passphrase of at least 16 characters");
    expect(() => parseEnv({ DATA_DIR: dir, BACKUP_SCHEDULE: "0 3 * * *" })).toThrow("scheduled backups (BACKUP_SCHEDULE) need BACKUP_KEY");
    expect(backupScheduleSettings(parseEnv({ DATA_DIR: dir }))).toBeNull();
  });
});
