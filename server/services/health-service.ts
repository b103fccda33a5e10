import type { Db } from "../db";

export type PartStatus = "ok" | string;

export interface Health {
  status: "ok" | "error";
  db: PartStatus;
  mode: "embedded" | "postgres";
  uptimeSeconds: number;
}

/** Each part a process needs to do its work, "ok" or what is wrong; parts the process does not use are absent. */
export interface Readiness {
  status: "ready" | "not ready";
  checks: {
    db: PartStatus;
    migrations: PartStatus;
    redis?: PartStatus;
    worker?: PartStatus;
  };
}

async function withinTime<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const failed = (err: unknown): PartStatus => `error: ${err instanceof Error ? err.message : String(err)}`;

export const healthService = {
  /** `connect` is part of the check: a database that cannot even be connected to is reported the same way. */
  async check({ connect, mode, timeoutMs = 2000 }: { connect: () => Promise<Db>; mode: Health["mode"]; timeoutMs?: number }): Promise<Health> {
    const db = await withinTime(
      connect().then((d) => d.$queryRaw`SELECT 1`),
      timeoutMs,
    ).then(() => "ok", failed);
    return { status: db === "ok" ? "ok" : "error", db, mode, uptimeSeconds: Math.round(process.uptime()) };
  },

  /**
   * Whether the process can serve: the database answers and has every migration this build knows applied, and
   * what `runtime` says of Redis (queue mode) and of taking jobs (workers). Slower than `check`: for readiness
   * probes, not liveness.
   */
  async ready({
    connect,
    migrations,
    runtime,
    timeoutMs = 2000,
  }: {
    connect: () => Promise<Db>;
    /** The migrations this build applies, by folder name. */
    migrations: readonly string[];
    /** The process's runner, which knows its Redis and its workers; none in a process without one. */
    runtime: { readiness(): Promise<{ redis?: PartStatus; worker?: PartStatus }> } | null;
    timeoutMs?: number;
  }): Promise<Readiness> {
    let migrationsStatus: PartStatus = "error: the database did not answer";
    const db = await withinTime(
      (async () => {
        const d = await connect();
        await d.$queryRaw`SELECT 1`;
        // A database never migrated has no such table: none of the migrations is applied.
        const rows = await d.$queryRaw<{ migration_name: string }[]>`
          SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`.catch(() => []);
        const applied = new Set(rows.map((row) => row.migration_name));
        const missing = migrations.filter((name) => !applied.has(name));
        migrationsStatus = missing.length === 0 ? "ok" : `error: ${missing.length} of ${migrations.length} migrations not applied (first: ${missing[0]})`;
      })(),
      timeoutMs,
    ).then(() => "ok", failed);
    const parts = runtime ? await runtime.readiness() : {};
    const checks: Readiness["checks"] = { db, migrations: db === "ok" ? migrationsStatus : "error: the database did not answer", ...parts };
    const ok = Object.values(checks).every((status) => status === "ok");
    return { status: ok ? "ready" : "not ready", checks };
  },
};
