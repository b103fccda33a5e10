import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { nextFireTimes, scheduleConfig } from "../../nodes/schedule/schedule.node";
import { binaryDirOf } from "../../runner/ports";
import type { DbConnection } from "../db/connect";
import { ConfigError, type Env } from "../env";
import { instanceKeys } from "../secrets";
import { backupService } from "../services/backup-service";
import { BackupError, parseBackupKey, type BackupKey } from "./archive";

/** The names scheduled backups get, by when they were due: sorted by name, they are sorted by time. */
const SCHEDULED_NAME = /^streamware-\d{8}T\d{6}Z\.backup$/;

export function scheduledBackupName(due: Date): string {
  return `streamware-${due.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z")}.backup`;
}

/**
 * Deletes the oldest scheduled backups in `dir` beyond the newest `retain`, and what a stopped process left half
 * written; other files there are left alone.
 */
export async function pruneBackups({ dir, retain }: { dir: string; retain: number }): Promise<string[]> {
  const files = await readdir(dir);
  const names = files.filter((name) => SCHEDULED_NAME.test(name)).sort();
  const old = [...names.slice(0, Math.max(0, names.length - retain)), ...files.filter((name) => name.endsWith(".partial") && SCHEDULED_NAME.test(name.slice(0, -".partial".length)))];
  for (const name of old) await rm(path.join(dir, name), { force: true });
  return old;
}

export interface BackupScheduleSettings {
  cron: string;
  key: BackupKey;
  dir: string;
  retain: number;
}

/** BACKUP_SCHEDULE and its companions, checked: null when no schedule is set; a ConfigError names what is wrong. */
export function backupScheduleSettings(config: Env): BackupScheduleSettings | null {
  if (!config.BACKUP_SCHEDULE) return null;
  const cron = scheduleConfig.safeParse({ cron: config.BACKUP_SCHEDULE });
  if (!cron.success) throw new ConfigError(`BACKUP_SCHEDULE: ${cron.error.issues[0]?.message ?? "not a cron expression"}`);
  let key: BackupKey;
  try {
    key = parseBackupKey(config.BACKUP_KEY ?? "", "BACKUP_KEY");
  } catch (err) {
    throw new ConfigError((err as BackupError).message);
  }
  return { cron: config.BACKUP_SCHEDULE, key, dir: path.resolve(config.BACKUP_DIR ?? path.join(config.DATA_DIR, "backups")), retain: config.BACKUP_RETAIN };
}

export interface BackupScheduleDeps {
  settings: BackupScheduleSettings;
  config: Env;
  connection: DbConnection;
  logger: Logger;
  /** Whether this process writes the backup due at this time (one of several web processes does). */
  claim(due: Date): Promise<boolean>;
  /** Told of each backup written and checked, or failed. */
  finished(outcome: { ok: boolean; at: Date }): void;
}

/**
 * Writes a backup into BACKUP_DIR at each time BACKUP_SCHEDULE gives (UTC), keeping the newest BACKUP_RETAIN. A
 * backup still being written when the next is due makes that one wait for the following time.
 */
export function startBackupSchedule({ settings, config, connection, logger, claim, finished }: BackupScheduleDeps): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;

  const write = async (due: Date) => {
    if (!(await claim(due))) return;
    const file = path.join(settings.dir, scheduledBackupName(due));
    const startedAt = Date.now();
    try {
      const { manifest } = await backupService.write({ connection, file, key: settings.key, binaryDir: binaryDirOf(config), keys: instanceKeys(config) });
      const pruned = await pruneBackups({ dir: settings.dir, retain: settings.retain });
      const rows = Object.values(manifest.tables).reduce((sum, t) => sum + t.rows, 0);
      logger.info({ file, rows, binaryFiles: manifest.binary.files, ms: Date.now() - startedAt, pruned: pruned.length }, "scheduled backup written and checked");
      finished({ ok: true, at: new Date() });
    } catch (err) {
      logger.error({ err, file }, "scheduled backup failed");
      finished({ ok: false, at: new Date() });
    }
  };

  const arm = () => {
    if (stopped) return;
    const [next] = nextFireTimes({ cron: settings.cron, timezone: "UTC" }, 1);
    if (!next) return;
    timer = setTimeout(
      () => {
        if (Date.now() >= next.getTime() - 5 && !running) {
          running = write(next).finally(() => (running = null));
        }
        arm();
      },
      // setTimeout holds at most about 24.8 days; a later time is re-armed on the way.
      Math.min(Math.max(0, next.getTime() - Date.now()), 2 ** 31 - 1),
    );
    timer.unref();
  };
  arm();
  logger.info({ schedule: settings.cron, dir: settings.dir, retain: settings.retain }, "scheduled backups on");

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
