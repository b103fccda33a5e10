import { createHash } from "node:crypto";
import type { PrismaClient as Db } from "./generated/client";

/**
 * A statement of the runner's hot path, made once where it is defined: PostgreSQL parses, analyses and plans it
 * once per connection and then only binds and runs it, which for the batched run writes was a fifth of the
 * database's work a run. Named after its text, so that two copies of this module (two bundles) agree on it.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

export function preparedStatement(text: string): PreparedStatement {
  return { name: `streamware_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`, text };
}

/** The SQL of a statement, for connections that do not keep prepared statements. */
export const statementText = (statement: string | PreparedStatement): string => (typeof statement === "string" ? statement : statement.text);

/** Runs one SQL statement with positional parameters and returns its rows. */
export type RawSql = <T>(statement: string | PreparedStatement, params: unknown[]) => Promise<T[]>;

const registry = new WeakMap<object, RawSql>();

export function registerRawSql(db: Db, sql: RawSql): void {
  registry.set(db, sql);
}

/**
 * Plain SQL on the connection behind `db`, for the runner's hot path (batched run and step writes, claiming a
 * run): the driver directly, without the client's per-query work, which costs about three times the query itself.
 */
export function rawSql(db: Db): RawSql {
  return registry.get(db) ?? prismaRawSql(db);
}

/** Plain SQL through Prisma's client, or one of its transactions, which keeps no prepared statements. */
export function prismaRawSql(client: Pick<Db, "$queryRawUnsafe">): RawSql {
  return <T>(statement: string | PreparedStatement, params: unknown[]) => client.$queryRawUnsafe<T[]>(statementText(statement), ...params);
}
