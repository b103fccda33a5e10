import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { aRole, can, permissions, type Permission, type Role, type WorkspaceSummary } from "./workspace-roles";

const workspaceSelect = { id: true, slug: true, name: true, personal: true } as const;

type Tx = Prisma.TransactionClient;

/** What deleting a workspace needs of the runner (the runtime has both). */
export interface RunControl {
  cancel(runId: string): Promise<void>;
  triggersChanged(flowId: string): Promise<void>;
}

function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return base || "workspace";
}

async function uniqueSlug({ tx, name }: { tx: Tx; name: string }): Promise<string> {
  const base = slugify(name);
  const taken = await tx.workspace.findMany({
    where: { slug: { startsWith: base } },
    select: { slug: true },
  });
  const used = new Set(taken.map((w) => w.slug));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

async function createWithOwner({
  tx,
  userId,
  name,
  personal,
}: {
  tx: Tx;
  userId: string;
  name: string;
  personal: boolean;
}): Promise<WorkspaceSummary> {
  const slug = await uniqueSlug({ tx, name });
  const workspace = await tx.workspace.create({
    data: { slug, name, personal, memberships: { create: { userId, role: "owner" } } },
    select: workspaceSelect,
  });
  await auditService.record({
    tx,
    entry: { workspaceId: workspace.id, actorId: userId, action: "workspace.create", targetType: "workspace", targetId: workspace.id, data: { name, slug } },
  });
  return { ...workspace, role: "owner" };
}

/**
 * The one gate every workspace-scoped service passes through. A workspace the user does not belong to
 * is reported exactly like a missing one, so its existence is never revealed.
 */
async function requireRole({
  db,
  userId,
  workspaceId,
  permission,
}: {
  db: Db | Tx;
  userId: string;
  workspaceId: string;
  permission: Permission;
}): Promise<Role> {
  const membership = await db.membership.findUnique({
    where: { workspaceId_userId: { workspaceId, userId } },
    select: { role: true },
  });
  if (!membership) throw new ServiceError({ code: "NOT_FOUND", message: "Workspace not found" });
  requirePermission({ role: membership.role, permission });
  return membership.role;
}

/** For a member whose role is known: refuses what `permissions` does not allow that role. */
function requirePermission({ role, permission }: { role: Role; permission: Permission }): void {
  if (!can({ role, permission })) {
    const min = permissions[permission].least;
    throw new ServiceError({
      code: "FORBIDDEN",
      message: `This needs the ${min} role or higher in this workspace; you are ${aRole(role)}. Ask an owner or admin to change your role.`,
    });
  }
}

/** Before an owner is demoted or removed: a workspace must always keep one. */
async function requireAnotherOwner({ tx, workspaceId }: { tx: Tx; workspaceId: string }): Promise<void> {
  const owners = await tx.membership.count({ where: { workspaceId, role: "owner" } });
  if (owners <= 1) throw new ServiceError({ code: "CONFLICT", message: "A workspace needs at least one owner; make someone else owner first." });
}

export const workspaceService = {
  requireRole,
  createWithOwner,

  async listForUser({ db, userId }: { db: Db; userId: string }): Promise<WorkspaceSummary[]> {
    const memberships = await db.membership.findMany({
      where: { userId },
      select: { role: true, workspace: { select: workspaceSelect } },
      orderBy: [{ workspace: { personal: "desc" } }, { workspace: { name: "asc" } }],
    });
    return memberships.map((m) => ({ ...m.workspace, role: m.role }));
  },

  async getBySlug({ db, userId, slug }: { db: Db; userId: string; slug: string }): Promise<WorkspaceSummary> {
    const membership = await db.membership.findFirst({
      where: { userId, workspace: { slug } },
      select: { role: true, workspace: { select: workspaceSelect } },
    });
    if (!membership) throw new ServiceError({ code: "NOT_FOUND", message: `Workspace "${slug}" not found` });
    return { ...membership.workspace, role: membership.role };
  },

  async create({ db, userId, name }: { db: Db; userId: string; name: string }): Promise<WorkspaceSummary> {
    return db.$transaction((tx) => createWithOwner({ tx, userId, name, personal: false }));
  },

  /** The caller's admin role was checked by `workspaceProcedure`. */
  async rename({ db, userId, workspaceId, name }: { db: Db; userId: string; workspaceId: string; name: string }) {
    return db.$transaction(async (tx) => {
      const workspace = await tx.workspace.update({ where: { id: workspaceId }, data: { name }, select: workspaceSelect });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "workspace.rename", targetType: "workspace", targetId: workspaceId, data: { name } },
      });
      return workspace;
    });
  },

  async listMembers({ db, workspaceId }: { db: Db; workspaceId: string }) {
    const members = await db.membership.findMany({
      where: { workspaceId },
      select: { role: true, user: { select: { id: true, email: true, name: true } } },
      orderBy: { createdAt: "asc" },
    });
    return members.map((m) => ({ ...m.user, role: m.role }));
  },

  /** Removes a member; members may also leave on their own. The last owner cannot go. `actorRole` is the caller's, as checked. */
  async removeMember({ db, userId, actorRole, workspaceId, memberId }: { db: Db; userId: string; actorRole: Role; workspaceId: string; memberId: string }) {
    requirePermission({ role: actorRole, permission: memberId === userId ? "membership.leave" : "member.manage" });
    return db.$transaction(async (tx) => {
      const member = await tx.membership.findUnique({
        where: { workspaceId_userId: { workspaceId, userId: memberId } },
        select: { role: true },
      });
      if (!member) throw new ServiceError({ code: "NOT_FOUND", message: "That person is not a member of this workspace." });
      if (member.role === "owner") {
        if (!can({ role: actorRole, permission: "owner.manage" })) throw new ServiceError({ code: "FORBIDDEN", message: "Only an owner can remove an owner." });
        await requireAnotherOwner({ tx, workspaceId });
      }
      await tx.membership.delete({ where: { workspaceId_userId: { workspaceId, userId: memberId } }, select: { id: true } });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "membership.remove", targetType: "user", targetId: memberId, data: { role: member.role } },
      });
      return { id: memberId };
    });
  },

  /**
   * Changes a member's role; people join through invitations. Only an owner may grant or take away ownership, and
   * the last owner keeps it. `actorRole` is the caller's, as checked.
   */
  async setRole({ db, userId, actorRole, workspaceId, memberId, role }: { db: Db; userId: string; actorRole: Role; workspaceId: string; memberId: string; role: Role }) {
    requirePermission({ role: actorRole, permission: "member.manage" });
    return db.$transaction(async (tx) => {
      const current = await tx.membership.findUnique({
        where: { workspaceId_userId: { workspaceId, userId: memberId } },
        select: { role: true, user: { select: { id: true, email: true, name: true } } },
      });
      if (!current) throw new ServiceError({ code: "NOT_FOUND", message: "That person is not a member of this workspace." });
      if ((role === "owner" || current.role === "owner") && !can({ role: actorRole, permission: "owner.manage" })) {
        throw new ServiceError({ code: "FORBIDDEN", message: "Only an owner can grant or take away the owner role." });
      }
      if (current.role === "owner" && role !== "owner") await requireAnotherOwner({ tx, workspaceId });
      await tx.membership.update({ where: { workspaceId_userId: { workspaceId, userId: memberId } }, data: { role }, select: { id: true } });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "membership.role", targetType: "user", targetId: memberId, data: { role, previous: current.role } },
      });
      return { ...current.user, role };
    });
  },

  /**
   * What deleting a workspace would stop, after checking that it may go: the caller owns it (checked by the gate),
   * it is not their personal workspace, and the name typed to confirm is its name.
   */
  async prepareDelete({ db, workspaceId, confirmName, allowPersonal = false }: { db: Db; workspaceId: string; confirmName: string; allowPersonal?: boolean }) {
    const workspace = await db.workspace.findUnique({ where: { id: workspaceId }, select: { name: true, personal: true } });
    if (!workspace) throw new ServiceError({ code: "NOT_FOUND", message: "Workspace not found" });
    if (workspace.personal && !allowPersonal) throw new ServiceError({ code: "BAD_REQUEST", message: "Your personal workspace cannot be deleted; delete its flows instead." });
    if (confirmName !== workspace.name) {
      throw new ServiceError({ code: "BAD_REQUEST", message: `Type the workspace's name, ${workspace.name}, exactly to confirm; nothing was deleted.` });
    }
    const [flows, runs] = await Promise.all([
      db.flow.findMany({ where: { workspaceId, activeVersionId: { not: null } }, select: { id: true } }),
      db.run.findMany({ where: { workspaceId, status: { in: ["queued", "running"] } }, select: { id: true } }),
    ]);
    return { activeFlowIds: flows.map((f) => f.id), unfinishedRunIds: runs.map((r) => r.id) };
  },

  /**
   * Deletes the workspace and all it holds once its name was typed: its unfinished runs are cancelled first and its
   * flows' triggers stop after. The instance's audit log keeps that it happened, and who did it. `allowPersonal`
   * is for an instance administrator deleting a user, whose personal workspace goes too if no one takes it over.
   */
  async delete({ db, userId, workspaceId, confirmName, runs, allowPersonal = false }: { db: Db; userId: string; workspaceId: string; confirmName: string; runs: () => RunControl; allowPersonal?: boolean }) {
    const { activeFlowIds, unfinishedRunIds } = await workspaceService.prepareDelete({ db, workspaceId, confirmName, allowPersonal });
    for (const runId of unfinishedRunIds) await runs().cancel(runId);
    await db.$transaction(async (tx) => {
      const workspace = await tx.workspace.delete({ where: { id: workspaceId }, select: { name: true, slug: true } });
      await auditService.record({
        tx,
        entry: { workspaceId: null, actorId: userId, action: "workspace.delete", targetType: "workspace", targetId: workspaceId, data: workspace },
      });
    });
    for (const flowId of activeFlowIds) await runs().triggersChanged(flowId);
    return { id: workspaceId };
  },

  /** Makes another member an owner and the caller, an owner, an admin: the workspace keeps exactly as many owners. */
  async transferOwnership({ db, userId, actorRole, workspaceId, memberId }: { db: Db; userId: string; actorRole: Role; workspaceId: string; memberId: string }) {
    requirePermission({ role: actorRole, permission: "owner.manage" });
    if (memberId === userId) throw new ServiceError({ code: "BAD_REQUEST", message: "You own this workspace already; choose another member to hand it to." });
    return db.$transaction(async (tx) => {
      const member = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId: memberId } }, select: { role: true } });
      if (!member) throw new ServiceError({ code: "NOT_FOUND", message: "That person is not a member of this workspace." });
      await tx.membership.update({ where: { workspaceId_userId: { workspaceId, userId: memberId } }, data: { role: "owner" }, select: { id: true } });
      await tx.membership.update({ where: { workspaceId_userId: { workspaceId, userId } }, data: { role: "admin" }, select: { id: true } });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "ownership.transfer", targetType: "user", targetId: memberId, data: { previous: member.role } },
      });
      return { ownerId: memberId };
    });
  },
};
