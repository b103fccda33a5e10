import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import type { Role } from "./workspace-roles";
import { workspaceService, type RunControl } from "./workspace-service";

type Tx = Prisma.TransactionClient;

/** What happens to a workspace whose only owner is being deleted: another member takes it over, or it goes. */
export type OwnedWorkspaceDecision = { workspaceId: string; handOverTo: string } | { workspaceId: string; deleteConfirmName: string };

const userRowSelect = {
  id: true,
  email: true,
  name: true,
  instanceAdmin: true,
  disabledAt: true,
  lastSignInAt: true,
  createdAt: true,
  memberships: { select: { role: true, workspace: { select: { id: true, name: true, slug: true, personal: true } } }, orderBy: { createdAt: "asc" } },
} as const satisfies Prisma.UserSelect;

function searchUsers(search: string | undefined): Prisma.UserWhereInput {
  if (!search) return {};
  return { OR: [{ email: { contains: search, mode: "insensitive" } }, { name: { contains: search, mode: "insensitive" } }] };
}

function searchWorkspaces(search: string | undefined): Prisma.WorkspaceWhereInput {
  if (!search) return {};
  return { OR: [{ name: { contains: search, mode: "insensitive" } }, { slug: { contains: search, mode: "insensitive" } }] };
}

async function userOrThrow({ db, userId }: { db: Db | Tx; userId: string }) {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true, instanceAdmin: true, disabledAt: true } });
  if (!user) throw new ServiceError({ code: "NOT_FOUND", message: "That user no longer exists." });
  return user;
}

/** The instance must keep an administrator who can sign in; refuses taking the last one away. */
async function requireAnotherAdmin({ tx, userId }: { tx: Db | Tx; userId: string }): Promise<void> {
  const others = await tx.user.count({ where: { instanceAdmin: true, disabledAt: null, id: { not: userId } } });
  if (others === 0) throw new ServiceError({ code: "CONFLICT", message: "This instance needs at least one enabled administrator; make someone else an administrator first." });
}

/** The workspaces in which this user is the only owner: they would be left without one. */
async function soleOwnerships({ db, userId }: { db: Db | Tx; userId: string }) {
  const owned = await db.membership.findMany({
    where: { userId, role: "owner" },
    select: { workspace: { select: { id: true, name: true, slug: true, personal: true, memberships: { select: { role: true, user: { select: { id: true, email: true, name: true } } }, orderBy: { createdAt: "asc" } } } } },
    orderBy: { createdAt: "asc" },
  });
  return owned
    .map((m) => m.workspace)
    .filter((w) => w.memberships.filter((member) => member.role === "owner").length === 1)
    .map(({ memberships, ...workspace }) => ({
      ...workspace,
      members: memberships.filter((member) => member.user.id !== userId).map((member) => ({ ...member.user, role: member.role as Role })),
    }));
}

export const instanceAdminService = {
  /** The one check behind every instance action (`instanceProcedure`): the caller is an enabled instance administrator. */
  async requireInstanceAdmin({ db, userId }: { db: Db; userId: string }): Promise<void> {
    const user = await db.user.findUnique({ where: { id: userId }, select: { instanceAdmin: true, disabledAt: true } });
    if (!user?.instanceAdmin || user.disabledAt) {
      throw new ServiceError({ code: "FORBIDDEN", message: "This needs an administrator of this Streamware instance; ask one to make you an administrator." });
    }
  },

  /** Every user, newest first, a page at a time; `search` matches email or name. */
  async listUsers({ db, search, page, pageSize }: { db: Db; search?: string; page: number; pageSize: number }) {
    const where = searchUsers(search);
    const [total, users] = await Promise.all([
      db.user.count({ where }),
      db.user.findMany({ where, select: userRowSelect, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: (page - 1) * pageSize, take: pageSize }),
    ]);
    return {
      total,
      users: users.map(({ memberships, disabledAt, ...user }) => ({
        ...user,
        disabled: disabledAt !== null,
        disabledAt,
        workspaces: memberships.map((m) => ({ ...m.workspace, role: m.role })),
      })),
    };
  },

  /** Every workspace, newest first, a page at a time, with how many members and flows it has. */
  async listWorkspaces({ db, search, page, pageSize }: { db: Db; search?: string; page: number; pageSize: number }) {
    const where = searchWorkspaces(search);
    const [total, workspaces] = await Promise.all([
      db.workspace.count({ where }),
      db.workspace.findMany({
        where,
        select: { id: true, name: true, slug: true, personal: true, createdAt: true, _count: { select: { memberships: true, flows: true } } },
        orderBy: [{ createdAt: "desc" }, { id: "asc" }],
        skip: (page - 1) * pageSize,
        take: pageSize,
      }),
    ]);
    return { total, workspaces: workspaces.map(({ _count, ...w }) => ({ ...w, members: _count.memberships, flows: _count.flows })) };
  },

  /** One workspace as an administrator sees it, whether or not they belong to it: its members and its flows. */
  async workspace({ db, workspaceId }: { db: Db; workspaceId: string }) {
    const workspace = await db.workspace.findUnique({
      where: { id: workspaceId },
      select: {
        id: true,
        name: true,
        slug: true,
        personal: true,
        createdAt: true,
        memberships: { select: { role: true, createdAt: true, user: { select: { id: true, email: true, name: true, disabledAt: true } } }, orderBy: { createdAt: "asc" } },
        flows: { select: { id: true, name: true, activeVersionId: true, updatedAt: true }, orderBy: { updatedAt: "desc" }, take: 200 },
      },
    });
    if (!workspace) throw new ServiceError({ code: "NOT_FOUND", message: "Workspace not found" });
    const { memberships, flows, ...rest } = workspace;
    return {
      ...rest,
      members: memberships.map((m) => ({ id: m.user.id, email: m.user.email, name: m.user.name, disabled: m.user.disabledAt !== null, role: m.role, joinedAt: m.createdAt })),
      flows: flows.map((f) => ({ id: f.id, name: f.name, active: f.activeVersionId !== null, updatedAt: f.updatedAt })),
    };
  },

  /** Disables or enables a user; a disabled user cannot sign in and their sessions end at their next request. */
  async setDisabled({ db, actorId, userId, disabled }: { db: Db; actorId: string; userId: string; disabled: boolean }) {
    if (disabled && userId === actorId) throw new ServiceError({ code: "BAD_REQUEST", message: "You cannot disable your own account; ask another administrator." });
    return db.$transaction(async (tx) => {
      const user = await userOrThrow({ db: tx, userId });
      if ((user.disabledAt !== null) === disabled) return { id: userId, disabled };
      if (disabled && user.instanceAdmin) await requireAnotherAdmin({ tx, userId });
      await tx.user.update({ where: { id: userId }, data: { disabledAt: disabled ? new Date() : null }, select: { id: true } });
      await auditService.record({ tx, entry: { workspaceId: null, actorId, action: disabled ? "user.disable" : "user.enable", targetType: "user", targetId: userId, data: { email: user.email } } });
      return { id: userId, disabled };
    });
  },

  /** Makes a user an instance administrator, or takes it away; the instance always keeps one. */
  async setAdmin({ db, actorId, userId, admin }: { db: Db; actorId: string; userId: string; admin: boolean }) {
    return db.$transaction(async (tx) => {
      const user = await userOrThrow({ db: tx, userId });
      if (user.instanceAdmin === admin) return { id: userId, instanceAdmin: admin };
      if (admin && user.disabledAt) throw new ServiceError({ code: "BAD_REQUEST", message: `${user.email} is disabled; enable the account before making them an administrator.` });
      if (!admin) await requireAnotherAdmin({ tx, userId });
      await tx.user.update({ where: { id: userId }, data: { instanceAdmin: admin }, select: { id: true } });
      await auditService.record({ tx, entry: { workspaceId: null, actorId, action: admin ? "user.adminGrant" : "user.adminRevoke", targetType: "user", targetId: userId, data: { email: user.email } } });
      return { id: userId, instanceAdmin: admin };
    });
  },

  /** What deleting a user asks for: the workspaces they alone own, each with the members who could take it over. */
  async deletionPlan({ db, userId }: { db: Db; userId: string }) {
    const user = await userOrThrow({ db, userId });
    return { user: { id: user.id, email: user.email, name: user.name }, workspaces: await soleOwnerships({ db, userId }) };
  },

  /**
   * Deletes a user once their email was typed. Every workspace they alone own must have a decision: handed over
   * to another of its members (who becomes an owner) or deleted by typing its name, as its owner would (runs
   * cancelled, triggers stopped). All is checked before anything changes; the hand-overs and the user's removal
   * then happen in one transaction that refuses to leave any workspace without an owner.
   */
  async deleteUser({ db, actorId, userId, confirmEmail, decisions, runs }: { db: Db; actorId: string; userId: string; confirmEmail: string; decisions: OwnedWorkspaceDecision[]; runs: () => RunControl }) {
    if (userId === actorId) throw new ServiceError({ code: "BAD_REQUEST", message: "You cannot delete your own account; ask another administrator." });
    const user = await userOrThrow({ db, userId });
    if (confirmEmail.trim().toLowerCase() !== user.email) {
      throw new ServiceError({ code: "BAD_REQUEST", message: `Type the user's email, ${user.email}, exactly to confirm; nothing was deleted.` });
    }
    if (user.instanceAdmin) await requireAnotherAdmin({ tx: db, userId });
    const owned = await soleOwnerships({ db, userId });
    const decided = new Map(decisions.map((d) => [d.workspaceId, d]));
    if (decided.size !== decisions.length) throw new ServiceError({ code: "BAD_REQUEST", message: "Decide once for each workspace; nothing was deleted." });
    for (const workspace of owned) {
      const decision = decided.get(workspace.id);
      if (!decision) {
        throw new ServiceError({ code: "BAD_REQUEST", message: `${user.email} is the only owner of ${workspace.name}: hand it over to another member or delete it; nothing was deleted.` });
      }
      if ("handOverTo" in decision && !workspace.members.some((m) => m.id === decision.handOverTo)) {
        throw new ServiceError({ code: "BAD_REQUEST", message: `Hand ${workspace.name} over to one of its members; nothing was deleted.` });
      }
      if ("deleteConfirmName" in decision && decision.deleteConfirmName !== workspace.name) {
        throw new ServiceError({ code: "BAD_REQUEST", message: `Type the workspace's name, ${workspace.name}, exactly to delete it; nothing was deleted.` });
      }
    }
    const ownedIds = new Set(owned.map((w) => w.id));
    const stray = decisions.find((d) => !ownedIds.has(d.workspaceId));
    if (stray) throw new ServiceError({ code: "BAD_REQUEST", message: "A decision names a workspace this user does not alone own; reload and try again. Nothing was deleted." });

    for (const decision of decisions) {
      if ("deleteConfirmName" in decision) {
        await workspaceService.delete({ db, userId: actorId, workspaceId: decision.workspaceId, confirmName: decision.deleteConfirmName, runs, allowPersonal: true });
      }
    }
    await db.$transaction(async (tx) => {
      for (const decision of decisions) {
        if (!("handOverTo" in decision)) continue;
        const previous = await tx.membership.update({ where: { workspaceId_userId: { workspaceId: decision.workspaceId, userId: decision.handOverTo } }, data: { role: "owner" }, select: { role: true } });
        // A personal workspace handed over is an ordinary shared one: its new owner has their own personal one.
        await tx.workspace.update({ where: { id: decision.workspaceId }, data: { personal: false }, select: { id: true } });
        await auditService.record({
          tx,
          entry: { workspaceId: decision.workspaceId, actorId, action: "ownership.transfer", targetType: "user", targetId: decision.handOverTo, data: { previous: previous.role, from: userId, reason: "the owner's account was deleted by an instance administrator" } },
        });
      }
      // Checked again inside the transaction: a workspace created since the checks above would lose its only owner.
      const left = await soleOwnerships({ db: tx, userId });
      if (left.length) throw new ServiceError({ code: "CONFLICT", message: `${user.email} is now also the only owner of ${left.map((w) => w.name).join(", ")}; reload and decide for it too.` });
      if (user.instanceAdmin) await requireAnotherAdmin({ tx, userId });
      await tx.user.delete({ where: { id: userId }, select: { id: true } });
      await auditService.record({
        tx,
        entry: { workspaceId: null, actorId, action: "user.delete", targetType: "user", targetId: userId, data: { email: user.email, handedOver: decisions.filter((d) => "handOverTo" in d).map((d) => d.workspaceId), deletedWorkspaces: decisions.filter((d) => "deleteConfirmName" in d).map((d) => d.workspaceId) } },
      });
    });
    return { id: userId };
  },
};
