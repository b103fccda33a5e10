import type { Db } from "../db";
import { Prisma } from "../db/generated/client";
import { storableText, storableValue } from "../../nodes/_core/json-check";

/** How often `update` re-reads after losing a race before it gives up; each loss means another run wrote. */
const MAX_UPDATE_ATTEMPTS = 50;

const jsonEquals = (value: unknown) => (value === null ? Prisma.AnyNull : (value as Prisma.InputJsonValue));

/** The per-flow key/value store behind a node's `ctx.kv`; scoped by the run's flow and workspace. */
export function flowStateStore({ db, workspaceId, flowId }: { db: Db; workspaceId: string; flowId: string }) {
  const store = {
    async get<T = unknown>(key: string): Promise<T | undefined> {
      const row = await db.flowState.findFirst({ where: { flowId, workspaceId, key }, select: { value: true } });
      return row ? (row.value as T) : undefined;
    },
    async set(key: string, value: unknown): Promise<void> {
      const json = value as Prisma.InputJsonValue;
      await db.flowState.upsert({
        where: { flowId_key: { flowId, key } },
        create: { workspaceId, flowId, key, value: json },
        update: { value: json },
      });
    },
    async delete(key: string): Promise<void> {
      await db.flowState.deleteMany({ where: { flowId, workspaceId, key } });
    },
    /**
     * Compare-and-set without holding a lock or a transaction open: the write only lands if the row still holds
     * the value `change` saw (or is still absent), otherwise it reads again. Works the same on PostgreSQL and PGlite.
     */
    async update<T = unknown>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
        const row = await db.flowState.findFirst({ where: { flowId, workspaceId, key }, select: { value: true } });
        const current = row ? (row.value as T) : undefined;
        const next = change(current === undefined ? undefined : structuredClone(current));
        let landed: number;
        if (!row) {
          if (next === undefined) return undefined;
          landed = (await db.flowState.createMany({ data: [{ workspaceId, flowId, key, value: next as Prisma.InputJsonValue }], skipDuplicates: true })).count;
        } else if (next === undefined) {
          landed = (await db.flowState.deleteMany({ where: { flowId, workspaceId, key, value: { equals: jsonEquals(row.value) } } })).count;
        } else {
          landed = (
            await db.flowState.updateMany({
              where: { flowId, workspaceId, key, value: { equals: jsonEquals(row.value) } },
              data: { value: next as Prisma.InputJsonValue },
            })
          ).count;
        }
        if (landed === 1) return next;
      }
      throw new Error(`The flow state "${key}" kept changing under ${MAX_UPDATE_ATTEMPTS} attempts to update it; try again`);
    },
  };
  // Keys and values come from run data (an alert's key, a feed's entries): NUL and lone surrogates, which
  // PostgreSQL refuses, are kept as U+FFFD, the same on every read and write.
  return {
    get: <T = unknown>(key: string) => store.get<T>(storableText(key)),
    set: (key: string, value: unknown) => store.set(storableText(key), storableValue(value)),
    delete: (key: string) => store.delete(storableText(key)),
    update: <T = unknown>(key: string, change: (current: T | undefined) => T | undefined) =>
      store.update<T>(storableText(key), (current) => {
        const next = change(current);
        return next === undefined ? next : storableValue(next);
      }),
  };
}
