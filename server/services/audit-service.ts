import type { Prisma } from "../db/generated/client";

type Tx = Prisma.TransactionClient;

export interface AuditEntry {
  workspaceId: string | null;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  data?: Prisma.InputJsonValue;
}

export const auditService = {
  /** Called inside the mutation's own transaction, so a change and its audit event land together or not at all. */
  async record({ tx, entry }: { tx: Tx; entry: AuditEntry }): Promise<void> {
    await tx.auditEvent.create({
      data: {
        workspaceId: entry.workspaceId,
        actorId: entry.actorId,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        data: entry.data,
      },
      select: { id: true },
    });
  },
};
