import type { PrismaClient as Db } from "./generated/client";

/** Runs one SQL statement with positional parameters and returns its rows. */
export type RawSql = <T>(text: string, params: unknown[]) => Promise<T[]>;

const registry = new WeakMap<object, RawSql>();

export function registerRawSql(db: Db, sql: RawSql): void {
  registry.set(db, sql);
}

/**
 * Plain SQL on the connection behind `db`, for the runner's hot path (batched run and step writes, claiming a
 * run): the driver directly, without the client's per-query work, which costs about three times the query itself.
 */
export function rawSql(db: Db): RawSql {
  return registry.get(db) ?? (<T>(text: string, params: unknown[]) => db.$queryRawUnsafe<T[]>(text, ...params));
}
