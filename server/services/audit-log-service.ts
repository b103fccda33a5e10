import type { Prisma } from "../db/generated/client";
import type { Db } from "../db";
import { auditChainOf } from "./audit-chain";
import { auditEventFields, auditService } from "./audit-service";
import { ServiceError } from "./service-error";

export interface AuditFilter {
  /** The workspace whose chain to read; null for the instance's own (sign-ins, users, deleted workspaces). */
  workspaceId: string | null;
  /** A user's email (or part of it), or an API key's name. */
  actor?: string;
  /** An action, or the start of one: "flow" matches flow.create, flow.update, … */
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
}

export interface AuditRow {
  id: string;
  seq: number;
  createdAt: Date;
  actorKind: string;
  actorId: string | null;
  /** The actor in words: the user's email, or the API key's name; null for the instance itself. */
  actor: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  data: unknown;
  ip: string | null;
  userAgent: string | null;
}

export const AUDIT_PAGE_MAX = 200;
/** At most this many events go into one CSV export; narrow the filter for more. */
export const AUDIT_EXPORT_MAX = 50_000;

async function whereOf(db: Db, filter: AuditFilter): Promise<Prisma.AuditEventWhereInput> {
  let actor: Prisma.AuditEventWhereInput = {};
  if (filter.actor) {
    const users = await db.user.findMany({
      where: { email: { contains: filter.actor, mode: "insensitive" }, ...(filter.workspaceId ? { memberships: { some: { workspaceId: filter.workspaceId } } } : {}) },
      select: { id: true },
      take: 100,
    });
    // A key is found by its name or visible prefix, as the log shows it; the instance's chain has no keys.
    const keys = filter.workspaceId
      ? await db.apiKey.findMany({
          where: { workspaceId: filter.workspaceId, OR: [{ name: { contains: filter.actor, mode: "insensitive" } }, { prefix: { startsWith: filter.actor } }] },
          select: { id: true },
          take: 100,
        })
      : [];
    const byActor = { actorId: { in: [...users.map((u) => u.id), ...keys.map((k) => k.id)] } };
    // A refused sign-in has no user to act: it is found by the email it claimed.
    actor = filter.workspaceId ? byActor : { OR: [byActor, { actorId: null, data: { path: ["email"], string_contains: filter.actor.toLowerCase() } }] };
  }
  return {
    chain: auditChainOf(filter.workspaceId),
    ...actor,
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.targetType ? { targetType: filter.targetType } : {}),
    ...(filter.targetId ? { targetId: filter.targetId } : {}),
    ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {}),
  };
}

async function withActors(db: Db, events: Omit<AuditRow, "actor">[]): Promise<AuditRow[]> {
  const userIds = [...new Set(events.filter((e) => e.actorKind === "user" && e.actorId).map((e) => e.actorId!))];
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }) : [];
  const keyIds = [...new Set(events.filter((e) => e.actorKind === "apiKey" && e.actorId).map((e) => e.actorId!))];
  const keys = keyIds.length ? await db.apiKey.findMany({ where: { id: { in: keyIds } }, select: { id: true, name: true, prefix: true } }) : [];
  // Users by their address, keys by their name and visible prefix (a deleted workspace's keys by their id).
  const name = new Map([...users.map((u) => [u.id, u.email] as const), ...keys.map((k) => [k.id, `${k.name} (${k.prefix}…)`] as const)]);
  // A deleted user is named by the email their deletion recorded.
  const gone = userIds.filter((id) => !name.has(id));
  const deletions = gone.length
    ? await db.auditEvent.findMany({ where: { chain: auditChainOf(null), action: "user.delete", targetId: { in: gone } }, select: { targetId: true, data: true } })
    : [];
  for (const { targetId, data } of deletions) {
    const address = (data as { email?: unknown } | null)?.email;
    if (targetId && typeof address === "string") name.set(targetId, `${address} (deleted)`);
  }
  return events.map((e) => ({ ...e, actor: e.actorId ? (name.get(e.actorId) ?? e.actorId) : null }));
}

/** What the log shows of an event: all but its chain's bookkeeping. */
const { workspaceId: _workspaceId, chain: _chain, prevHash: _prevHash, hash: _hash, ...rowFields } = auditEventFields;

/** A CSV field: quoted when it holds a separator, a quote or a line break; formulas defused for spreadsheets. */
function csvField(value: unknown): string {
  let text = value === null || value === undefined ? "" : typeof value === "string" ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const auditLogService = {
  /** Newest first, a page at a time: `cursor` is the sequence number of the last event of the previous page. */
  async list({ db, filter, cursor, limit }: { db: Db; filter: AuditFilter; cursor?: number; limit: number }): Promise<{ events: AuditRow[]; nextCursor: number | null }> {
    const where = await whereOf(db, filter);
    const events = await db.auditEvent.findMany({
      where: cursor === undefined ? where : { AND: [where, { seq: { lt: cursor } }] },
      orderBy: { seq: "desc" },
      take: Math.min(limit, AUDIT_PAGE_MAX) + 1,
      select: rowFields,
    });
    const page = events.slice(0, Math.min(limit, AUDIT_PAGE_MAX));
    return { events: await withActors(db, page), nextCursor: events.length > page.length ? page.at(-1)!.seq : null };
  },

  /** The filtered events as CSV, oldest first, with a header row. */
  async exportCsv({ db, filter }: { db: Db; filter: AuditFilter }): Promise<{ csv: string; events: number }> {
    const where = await whereOf(db, filter);
    const count = await db.auditEvent.count({ where });
    if (count > AUDIT_EXPORT_MAX) {
      throw new ServiceError({ code: "BAD_REQUEST", message: `The filter matches ${count} events; one export holds at most ${AUDIT_EXPORT_MAX}. Narrow the time range.` });
    }
    const events = await withActors(db, await db.auditEvent.findMany({ where, orderBy: { seq: "asc" }, select: rowFields }));
    const header = ["seq", "time", "actor kind", "actor id", "actor", "action", "target type", "target id", "ip", "user agent", "data"];
    const lines = events.map((e) => [e.seq, e.createdAt, e.actorKind, e.actorId, e.actor, e.action, e.targetType, e.targetId, e.ip, e.userAgent, e.data].map(csvField).join(","));
    return { csv: [header.join(","), ...lines].join("\r\n") + "\r\n", events: events.length };
  },

  async retention({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<number> {
    const workspace = await db.workspace.findUnique({ where: { id: workspaceId }, select: { auditRetentionDays: true } });
    return workspace?.auditRetentionDays ?? 0;
  },

  async setRetention({ db, workspaceId, userId, days }: { db: Db; workspaceId: string; userId: string; days: number }): Promise<void> {
    await db.$transaction(async (tx) => {
      const before = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { auditRetentionDays: true } });
      await tx.workspace.update({ where: { id: workspaceId }, data: { auditRetentionDays: days }, select: { id: true } });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "audit.retention", targetType: "workspace", targetId: workspaceId, data: { from: before.auditRetentionDays, to: days } } });
    });
  },

  /** Deletes every workspace's events older than its retention; returns how many went. */
  async pruneAll({ db, now = new Date() }: { db: Db; now?: Date }): Promise<number> {
    const workspaces = await db.workspace.findMany({ select: { id: true, auditRetentionDays: true } });
    let deleted = 0;
    for (const { id, auditRetentionDays } of workspaces) {
      deleted += await auditService.prune({ db, workspaceId: id, olderThan: new Date(now.getTime() - auditRetentionDays * 86_400_000) });
    }
    return deleted;
  },
};
