import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db";
import type { Mailer } from "../mailer";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { aRole, can, type Role } from "./workspace-roles";

const DAY_MS = 86_400_000;

/** Where invitation links open: `<origin>/invite/<token>`. */
export const INVITE_PATH = "/invite/";

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export interface PendingInvitation {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
  invitedBy: string | null;
}

/** What the invitation page may show to whoever holds the link, before they sign in. */
export type InvitationView =
  | { state: "pending"; workspaceName: string; role: Role; email: string; invitedBy: string | null; expiresAt: Date }
  | { state: "expired" | "used" | "revoked" | "unknown" };

export interface InvitationSettings {
  ttlDays: number;
  /** The instance's public address when configured (NEXTAUTH_URL); else links use the address the inviting admin is on. */
  publicUrl: string | undefined;
  mailer: Mailer | null;
}

function linkFor({ base, token }: { base: string; token: string }): string {
  return new URL(`${INVITE_PATH}${token}`, base).toString();
}

/** A fresh single-use token: the token itself goes into the link, only its hash is stored. */
function freshToken(settings: InvitationSettings): { token: string; tokenHash: string; expiresAt: Date } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + settings.ttlDays * DAY_MS) };
}

/** The link for a token, mailed when SMTP is configured; a mail that fails still leaves the link to copy. */
async function deliver({
  token,
  expiresAt,
  workspaceName,
  email,
  role,
  inviter,
  linkBase,
  settings,
}: {
  token: string;
  expiresAt: Date;
  workspaceName: string;
  email: string;
  role: Role;
  inviter: string;
  linkBase: string;
  settings: InvitationSettings;
}): Promise<{ link: string; mailed: boolean; mailError: string | null; expiresAt: Date }> {
  const link = linkFor({ base: settings.publicUrl ?? linkBase, token });
  if (!settings.mailer) return { link, mailed: false, mailError: null, expiresAt };
  try {
    await settings.mailer.send({
      to: email,
      subject: `${inviter} invited you to ${workspaceName} on Streamware`,
      text: `${inviter} invited you to the workspace "${workspaceName}" on Streamware as ${aRole(role)}.\n\nOpen this link to join (it works once, until ${expiresAt.toUTCString()}):\n${link}\n\nIf you did not expect this, ignore this mail.`,
    });
    return { link, mailed: true, mailError: null, expiresAt };
  } catch (err) {
    return { link, mailed: false, mailError: `The mail could not be sent (${err instanceof Error ? err.message : String(err)}); copy the link instead.`, expiresAt };
  }
}

async function pendingOrThrow({ db, workspaceId, invitationId }: { db: Db; workspaceId: string; invitationId: string }) {
  const invitation = await db.invitation.findFirst({
    where: { id: invitationId, workspaceId, acceptedAt: null, revokedAt: null },
    select: { id: true, email: true, role: true, workspace: { select: { name: true } } },
  });
  if (!invitation) throw new ServiceError({ code: "NOT_FOUND", message: "That invitation is no longer pending." });
  return invitation;
}

export const invitationService = {
  /**
   * Invites an address with a role. The answer is the same whether or not the address has an account: the person
   * joins by opening the link and signing in with that address. Only an owner may invite an owner.
   */
  async invite({
    db,
    userId,
    actorRole,
    workspaceId,
    email,
    role,
    linkBase,
    settings,
  }: {
    db: Db;
    userId: string;
    actorRole: Role;
    workspaceId: string;
    email: string;
    role: Role;
    linkBase: string;
    settings: InvitationSettings;
  }) {
    if (role === "owner" && !can({ role: actorRole, permission: "owner.manage" })) {
      throw new ServiceError({ code: "FORBIDDEN", message: "Only an owner can invite an owner." });
    }
    const address = email.trim().toLowerCase();
    const member = await db.membership.findFirst({ where: { workspaceId, user: { email: address } }, select: { id: true } });
    if (member) throw new ServiceError({ code: "CONFLICT", message: `${address} is already a member of this workspace; change their role in the list instead.` });
    const { token, tokenHash, expiresAt } = freshToken(settings);
    const { invitation, workspaceName, inviter } = await db.$transaction(async (tx) => {
      // A newer invitation to the same address replaces any still pending.
      await tx.invitation.updateMany({ where: { workspaceId, email: address, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
      const created = await tx.invitation.create({
        data: { workspaceId, email: address, role, invitedById: userId, tokenHash, expiresAt },
        select: { id: true, workspace: { select: { name: true } } },
      });
      const by = await tx.user.findUnique({ where: { id: userId }, select: { name: true, email: true } });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "invitation.create", targetType: "invitation", targetId: created.id, data: { email: address, role } } });
      return { invitation: created, workspaceName: created.workspace.name, inviter: by?.name ?? by?.email ?? "Someone" };
    });
    const delivered = await deliver({ token, expiresAt, workspaceName, email: address, role, inviter, linkBase, settings });
    return { id: invitation.id, email: address, role, ...delivered };
  },

  /** A new link (the old one stops working) and a new expiry, mailed again when SMTP is configured. */
  async resend({ db, userId, workspaceId, invitationId, linkBase, settings }: { db: Db; userId: string; workspaceId: string; invitationId: string; linkBase: string; settings: InvitationSettings }) {
    const invitation = await pendingOrThrow({ db, workspaceId, invitationId });
    const by = await db.user.findUnique({ where: { id: userId }, select: { name: true, email: true } });
    const { token, tokenHash, expiresAt } = freshToken(settings);
    await db.$transaction(async (tx) => {
      await tx.invitation.update({ where: { id: invitationId }, data: { tokenHash, expiresAt }, select: { id: true } });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "invitation.resend", targetType: "invitation", targetId: invitationId, data: { email: invitation.email } } });
    });
    const delivered = await deliver({ token, expiresAt, workspaceName: invitation.workspace.name, email: invitation.email, role: invitation.role, inviter: by?.name ?? by?.email ?? "Someone", linkBase, settings });
    return { id: invitationId, email: invitation.email, role: invitation.role, ...delivered };
  },

  async revoke({ db, userId, workspaceId, invitationId }: { db: Db; userId: string; workspaceId: string; invitationId: string }) {
    const invitation = await pendingOrThrow({ db, workspaceId, invitationId });
    await db.$transaction(async (tx) => {
      await tx.invitation.update({ where: { id: invitationId }, data: { revokedAt: new Date() }, select: { id: true } });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "invitation.revoke", targetType: "invitation", targetId: invitationId, data: { email: invitation.email } } });
    });
    return { id: invitationId };
  },

  /** Invitations not yet accepted or revoked, expired ones included (marked by their date), newest first. */
  async listPending({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<PendingInvitation[]> {
    const rows = await db.invitation.findMany({
      where: { workspaceId, acceptedAt: null, revokedAt: null },
      orderBy: { createdAt: "desc" },
      select: { id: true, email: true, role: true, createdAt: true, expiresAt: true, invitedById: true },
    });
    const inviterIds = [...new Set(rows.flatMap((r) => (r.invitedById ? [r.invitedById] : [])))];
    const inviters = new Map((await db.user.findMany({ where: { id: { in: inviterIds } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
    const now = Date.now();
    return rows.map(({ invitedById, ...row }) => ({ ...row, expired: row.expiresAt.getTime() <= now, invitedBy: invitedById ? (inviters.get(invitedById) ?? null) : null }));
  },

  /** What a link leads to, for the page it opens; anyone holding the link may see this much. */
  async view({ db, token }: { db: Db; token: string }): Promise<InvitationView> {
    const invitation = await db.invitation.findUnique({
      where: { tokenHash: hashToken(token) },
      select: { email: true, role: true, expiresAt: true, acceptedAt: true, revokedAt: true, invitedById: true, workspace: { select: { name: true } } },
    });
    if (!invitation) return { state: "unknown" };
    if (invitation.acceptedAt) return { state: "used" };
    if (invitation.revokedAt) return { state: "revoked" };
    if (invitation.expiresAt.getTime() <= Date.now()) return { state: "expired" };
    const inviter = invitation.invitedById ? await db.user.findUnique({ where: { id: invitation.invitedById }, select: { name: true, email: true } }) : null;
    return { state: "pending", workspaceName: invitation.workspace.name, role: invitation.role, email: invitation.email, invitedBy: inviter?.name ?? inviter?.email ?? null, expiresAt: invitation.expiresAt };
  },

  /**
   * Joins the signed-in user to the invitation's workspace with its role. The link works once, before it expires,
   * and only for the address it was sent to. Returns the workspace's slug.
   */
  async accept({ db, user, token }: { db: Db; user: { id: string; email: string }; token: string }): Promise<{ slug: string; role: Role }> {
    return db.$transaction(async (tx) => {
      const invitation = await tx.invitation.findUnique({
        where: { tokenHash: hashToken(token) },
        select: { id: true, workspaceId: true, email: true, role: true, expiresAt: true, acceptedAt: true, revokedAt: true, workspace: { select: { slug: true } } },
      });
      if (!invitation || invitation.revokedAt) throw new ServiceError({ code: "NOT_FOUND", message: "This invitation link is not valid any more; ask for a new one." });
      if (invitation.acceptedAt) throw new ServiceError({ code: "CONFLICT", message: "This invitation link was already used; ask for a new one." });
      if (invitation.expiresAt.getTime() <= Date.now()) throw new ServiceError({ code: "BAD_REQUEST", message: "This invitation expired; ask for a new one." });
      if (invitation.email !== user.email.toLowerCase()) {
        throw new ServiceError({ code: "FORBIDDEN", message: `This invitation is for ${invitation.email}; sign out and sign in with that address to accept it.` });
      }
      // Only one acceptance wins, even when the link is opened twice at once.
      const { count } = await tx.invitation.updateMany({ where: { id: invitation.id, acceptedAt: null }, data: { acceptedAt: new Date(), acceptedById: user.id } });
      if (count === 0) throw new ServiceError({ code: "CONFLICT", message: "This invitation link was already used; ask for a new one." });
      const current = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: invitation.workspaceId, userId: user.id } }, select: { role: true } });
      const role = current?.role ?? invitation.role;
      if (!current) await tx.membership.create({ data: { workspaceId: invitation.workspaceId, userId: user.id, role }, select: { id: true } });
      await auditService.record({
        tx,
        entry: { workspaceId: invitation.workspaceId, actorId: user.id, action: "invitation.accept", targetType: "invitation", targetId: invitation.id, data: { email: invitation.email, role } },
      });
      return { slug: invitation.workspace.slug, role };
    });
  },
};
