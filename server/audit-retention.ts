import type { Logger } from "pino";
import type { Db } from "./db";
import { auditLogService } from "./services/audit-log-service";

const HOUR_MS = 60 * 60_000;

/**
 * Deletes audit events past each workspace's retention, at start and then hourly. Several web processes may do
 * this at once: each chain's pruning takes the chain's lock, so they take turns. Returns a function that stops it.
 */
export function startAuditRetention({ db, logger }: { db: Db; logger: Logger }): () => void {
  const prune = () =>
    auditLogService.pruneAll({ db }).then(
      (deleted) => deleted && logger.info({ deleted }, "deleted audit events past their workspace's retention"),
      (err: unknown) => logger.error({ err }, "could not delete old audit events"),
    );
  void prune();
  const timer = setInterval(prune, HOUR_MS);
  timer.unref();
  return () => clearInterval(timer);
}
