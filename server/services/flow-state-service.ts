import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";

/** The per-flow key/value store behind a node's `ctx.kv`; scoped by the run's flow and workspace. */
export function flowStateStore({ db, workspaceId, flowId }: { db: Db; workspaceId: string; flowId: string }) {
  return {
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
  };
}
