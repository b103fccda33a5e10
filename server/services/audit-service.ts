import type { Prisma } from "../db/generated/client";
import type { Db } from "../db";
import { auditEventHash, auditChainOf, type AuditActorKind, type ChainedAuditEvent } from "./audit-chain";
import { currentAuditOrigin } from "./audit-origin";

type Tx = Prisma.TransactionClient;

export interface AuditEntry {
  workspaceId: string | null;
  actorId: string | null;
  /** Who acted: a signed-in user (the default), an API key, or the instance itself (retention, the reconciler). */
  actorKind?: AuditActorKind;
  action: string;
  targetType: string;
  targetId?: string | null;
  data?: Prisma.InputJsonValue;
  ip?: string | null;
  userAgent?: string | null;
}

/** Every stored field of an event. */
export const auditEventFields = {
  id: true,
  workspaceId: true,
  chain: true,
  seq: true,
  actorId: true,
  actorKind: true,
  action: true,
  targetType: true,
  targetId: true,
  data: true,
  ip: true,
  userAgent: true,
  createdAt: true,
  prevHash: true,
  hash: true,
} satisfies Prisma.AuditEventSelect;

export const auditService = {
  /**
   * Called inside the mutation's own transaction, so a change and its audit event land together or not at all.
   * The event joins its workspace's hash chain: the chain's head row is locked while the event is written, so
   * concurrent writers take their turns and every sequence number is used once.
   */
  async record({ tx, entry }: { tx: Tx; entry: AuditEntry }): Promise<void> {
    const chain = auditChainOf(entry.workspaceId);
    const origin = currentAuditOrigin();
    await tx.$executeRaw`INSERT INTO "AuditChain" ("chain") VALUES (${chain}) ON CONFLICT ("chain") DO NOTHING`;
    const [head] = await tx.$queryRaw<{ headSeq: number; headHash: string }[]>`
      SELECT "headSeq", "headHash" FROM "AuditChain" WHERE "chain" = ${chain} FOR UPDATE`;
    const event: Omit<ChainedAuditEvent, "hash"> = {
      workspaceId: entry.workspaceId,
      chain,
      seq: head!.headSeq + 1,
      // A user's action taken through an API key is the key's; events of the instance itself stay its own.
      actorId: entry.actorKind === undefined && origin?.actor ? origin.actor.id : entry.actorId,
      actorKind: entry.actorKind ?? origin?.actor?.kind ?? "user",
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      data: (entry.data ?? null) as ChainedAuditEvent["data"],
      ip: entry.ip ?? origin?.ip ?? null,
      userAgent: entry.userAgent ?? origin?.userAgent ?? null,
      // Whole milliseconds, as PostgreSQL keeps them, so the hash recomputed from the stored row matches.
      createdAt: new Date(),
      prevHash: head!.headHash,
    };
    const hash = auditEventHash(event);
    await tx.auditEvent.create({ data: { ...event, data: entry.data, hash }, select: { id: true } });
    await tx.auditChain.update({ where: { chain }, data: { headSeq: event.seq, headHash: hash } });
  },

  /**
   * Deletes a chain's events older than the cut-off, oldest first, and remembers where the chain now starts, so
   * `verify` can tell retention's deletions from anyone else's. Returns how many were deleted.
   */
  async prune({ db, workspaceId, olderThan }: { db: Db; workspaceId: string | null; olderThan: Date }): Promise<number> {
    const chain = auditChainOf(workspaceId);
    return db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT "chain" FROM "AuditChain" WHERE "chain" = ${chain} FOR UPDATE`;
      const last = await tx.auditEvent.findFirst({
        where: { chain, createdAt: { lt: olderThan } },
        orderBy: { seq: "desc" },
        select: { seq: true, hash: true },
      });
      if (!last) return 0;
      const { count } = await tx.auditEvent.deleteMany({ where: { chain, seq: { lte: last.seq } } });
      await tx.auditChain.update({ where: { chain }, data: { prunedSeq: last.seq, prunedHash: last.hash } });
      return count;
    });
  },

  /** A chain's events in order, for `verify`; read in pages so a long chain never sits in memory at once. */
  async *chainEvents({ db, workspaceId, pageSize = 500 }: { db: Db; workspaceId: string | null; pageSize?: number }): AsyncGenerator<ChainedAuditEvent> {
    const chain = auditChainOf(workspaceId);
    let after = -1;
    for (;;) {
      const page = await db.auditEvent.findMany({ where: { chain, seq: { gt: after } }, orderBy: { seq: "asc" }, take: pageSize, select: auditEventFields });
      for (const row of page) yield row as ChainedAuditEvent;
      if (page.length < pageSize) return;
      after = page.at(-1)!.seq;
    }
  },

  async chainHead({ db, workspaceId }: { db: Db; workspaceId: string | null }) {
    return db.auditChain.findUnique({ where: { chain: auditChainOf(workspaceId) } });
  },
};
