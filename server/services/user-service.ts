import type { Db } from "../db";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";

export interface SignInIdentity {
  /** The identity provider's id ("oidc", "dev"). */
  provider: string;
  /** The subject at that provider; absent for the development sign-in, which trusts the email. */
  providerAccountId?: string;
  email: string;
  name?: string | null;
}

export interface SignedInUser {
  id: string;
  email: string;
  name: string | null;
}

const userSelect = { id: true, email: true, name: true } as const;

function defaultName(email: string): string {
  const local = email.split("@")[0] ?? email;
  return local.charAt(0).toUpperCase() + local.slice(1);
}

/** Held while a user is created, so two first sign-ins at once cannot both find the instance empty. */
const USER_CREATION_LOCK = 0x5374_7277; // "Strw"

/** Refuses a disabled account, with what the person can do about it. */
function refuseDisabled(user: { disabledAt: Date | null }): void {
  if (user.disabledAt) {
    throw new ServiceError({ code: "FORBIDDEN", message: "This account is disabled. Ask an administrator of this Streamware instance to enable it." });
  }
}

export const userService = {
  /** A refused sign-in, in the instance's audit chain: who it claimed to be, by which provider, and why it was refused. */
  async recordFailedSignIn({ db, provider, email, reason }: { db: Db; provider: string; email: string | null; reason: string }): Promise<void> {
    await db.$transaction((tx) =>
      auditService.record({ tx, entry: { workspaceId: null, actorId: null, actorKind: "system", action: "auth.signInFailed", targetType: "user", data: { provider, email: email?.slice(0, 254) ?? null, reason } } }),
    );
  },

  /**
   * Finds the user behind a sign-in, creating the user, the provider link and a personal workspace on the
   * first one. A provider account is matched by subject first, then linked to an existing user by email. The
   * instance's first user and the emails in `instanceAdmins` (INSTANCE_ADMINS) become its administrators; a
   * disabled user is refused.
   */
  async signIn({
    db,
    identity,
    instanceAdmins = [],
  }: {
    db: Db;
    identity: SignInIdentity;
    instanceAdmins?: string[];
  }): Promise<SignedInUser> {
    const email = identity.email.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      throw new ServiceError({ code: "BAD_REQUEST", message: `"${identity.email}" is not an email address` });
    }
    return db.$transaction(async (tx) => {
      // Every sign-in is audited in the instance's own chain (a person signs in to the instance, not to one workspace).
      const named = instanceAdmins.includes(email);
      const signedIn = async (user: SignedInUser & { disabledAt: Date | null; instanceAdmin: boolean }) => {
        refuseDisabled(user);
        const promote = named && !user.instanceAdmin && user.email === email;
        await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date(), ...(promote ? { instanceAdmin: true } : {}) }, select: { id: true } });
        if (promote) {
          await auditService.record({ tx, entry: { workspaceId: null, actorId: null, actorKind: "system", action: "user.adminGrant", targetType: "user", targetId: user.id, data: { email, reason: "INSTANCE_ADMINS" } } });
        }
        await auditService.record({ tx, entry: { workspaceId: null, actorId: user.id, action: "auth.signIn", targetType: "user", targetId: user.id, data: { provider: identity.provider } } });
        return { id: user.id, email: user.email, name: user.name };
      };
      const select = { ...userSelect, disabledAt: true, instanceAdmin: true } as const;
      if (identity.providerAccountId) {
        const account = await tx.account.findUnique({
          where: { provider_providerAccountId: { provider: identity.provider, providerAccountId: identity.providerAccountId } },
          select: { user: { select } },
        });
        if (account) return signedIn(account.user);
      }
      let user = await tx.user.findUnique({ where: { email }, select });
      if (!user) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${USER_CREATION_LOCK}::bigint)`;
        const name = identity.name?.trim() || defaultName(email);
        const instanceAdmin = named || (await tx.user.count()) === 0;
        user = await tx.user.create({ data: { email, name, instanceAdmin }, select });
        await auditService.record({
          tx,
          entry: { workspaceId: null, actorId: user.id, action: "user.create", targetType: "user", targetId: user.id, data: { provider: identity.provider, email, ...(instanceAdmin ? { instanceAdmin } : {}) } },
        });
        await workspaceService.createWithOwner({ tx, userId: user.id, name: `${name}'s workspace`, personal: true });
      }
      if (identity.providerAccountId) {
        await tx.account.create({
          data: { userId: user.id, type: "oidc", provider: identity.provider, providerAccountId: identity.providerAccountId },
          select: { id: true },
        });
      }
      return signedIn(user);
    });
  },

  /**
   * Whether the identity provider's account may sign in, before the sign-in goes on: false for a disabled user
   * (an account never seen before may always try).
   */
  async mayTrySignIn({ db, provider, providerAccountId, email }: { db: Db; provider: string; providerAccountId: string; email: string }): Promise<boolean> {
    const [byAccount, byEmail] = await Promise.all([
      db.account.findUnique({ where: { provider_providerAccountId: { provider, providerAccountId } }, select: { user: { select: { disabledAt: true } } } }),
      db.user.findUnique({ where: { email: email.trim().toLowerCase() }, select: { disabledAt: true } }),
    ]);
    const user = byAccount?.user ?? byEmail;
    return !user?.disabledAt;
  },

  /**
   * The session's user as stored now: null when they were deleted or disabled since they signed in, which is how a
   * disabled user's sessions stop at their next request. One lookup by primary key.
   */
  async sessionUser({ db, userId }: { db: Db; userId: string }): Promise<(SignedInUser & { instanceAdmin: boolean }) | null> {
    const user = await db.user.findUnique({ where: { id: userId }, select: { ...userSelect, instanceAdmin: true, disabledAt: true } });
    if (!user || user.disabledAt) return null;
    return { id: user.id, email: user.email, name: user.name, instanceAdmin: user.instanceAdmin };
  },

  /**
   * Whom a command-line tool on the server acts as: the user with this email, else (for an instance action) the
   * longest-standing enabled instance administrator, else the first owner of the workspace with this slug, else the
   * only user there is; null with the reason when none fits.
   */
  async actorFor({ db, email, workspaceSlug, instanceAdmin = false }: { db: Db; email?: string; workspaceSlug?: string; instanceAdmin?: boolean }): Promise<{ id: string; email: string } | { reason: string }> {
    const select = { id: true, email: true } as const;
    if (email) {
      const user = await db.user.findUnique({ where: { email: email.toLowerCase() }, select });
      return user ?? { reason: `No user with email ${email}; they must sign in to Streamware once before the CLI can act as them.` };
    }
    if (instanceAdmin) {
      const admin = await db.user.findFirst({ where: { instanceAdmin: true, disabledAt: null }, select, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
      return admin ?? { reason: "There is no instance administrator yet; the first person to sign in becomes one." };
    }
    if (workspaceSlug) {
      const owner = await db.membership.findFirst({
        where: { role: "owner", workspace: { slug: workspaceSlug } },
        select: { user: { select } },
        orderBy: { createdAt: "asc" },
      });
      return owner?.user ?? { reason: `Workspace "${workspaceSlug}" not found.` };
    }
    const users = await db.user.findMany({ select, orderBy: { createdAt: "asc" }, take: 2 });
    if (users.length === 1) return users[0]!;
    return {
      reason:
        users.length === 0
          ? "There are no users yet; sign in to Streamware once, then run this again."
          : "There is more than one user; pass --user <email> to say who the CLI acts as (or --workspace <slug> to act as its owner).",
    };
  },

  async get({ db, userId }: { db: Db; userId: string }): Promise<SignedInUser | null> {
    return db.user.findUnique({ where: { id: userId }, select: userSelect });
  },
};
