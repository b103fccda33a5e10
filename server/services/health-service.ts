import type { Db } from "../db";

export type PartStatus = "ok" | string;

export interface Health {
  status: "ok" | "error";
  db: PartStatus;
  mode: "embedded" | "postgres";
  uptimeSeconds: number;
}

export const healthService = {
  /** `connect` is part of the check: a database that cannot even be connected to is reported the same way. */
  async check({ connect, mode, timeoutMs = 2000 }: { connect: () => Promise<Db>; mode: Health["mode"]; timeoutMs?: number }): Promise<Health> {
    let dbStatus: PartStatus = "ok";
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        connect().then((db) => db.$queryRaw`SELECT 1`),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      dbStatus = `error: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      clearTimeout(timer);
    }
    return { status: dbStatus === "ok" ? "ok" : "error", db: dbStatus, mode, uptimeSeconds: Math.round(process.uptime()) };
  },
};
