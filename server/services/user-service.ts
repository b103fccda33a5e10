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

export const userService = {
  /**
   * Finds the user behind a sign-in, creating the user, the provider link and a personal workspace on the
   * first one. A provider account is matched by subject first, then linked to an existing user by email.
   */
  async signIn({ db, identity }: { db: Db; identity: SignInIdentity }): Promise<SignedInUser> {
    const email = identity.email.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      throw new ServiceError({ code: "BAD_REQUEST", message: `"${identity.email}" is not an email address` });
    }
    return db.$transaction(async (tx) => {
      if (identity.providerAccountId) {
        const account = await tx.account.findUnique({
          where: { provider_providerAccountId: { provider: identity.provider, providerAccountId: identity.providerAccountId } },
          select: { user: { select: userSelect } },
        });
        if (account) return account.user;
      }
      let user = await tx.user.findUnique({ where: { email }, select: userSelect });
      if (!user) {
        const name = identity.name?.trim() || defaultName(email);
        user = await tx.user.create({ data: { email, name }, select: userSelect });
        await auditService.record({
          tx,
          entry: { workspaceId: null, actorId: user.id, action: "user.create", targetType: "user", targetId: user.id, data: { provider: identity.provider } },
        });
        await workspaceService.createWithOwner({ tx, userId: user.id, name: `${name}'s workspace`, personal: true });
      }
      if (identity.providerAccountId) {
        await tx.account.create({
          data: { userId: user.id, type: "oidc", provider: identity.provider, providerAccountId: identity.providerAccountId },
          select: { id: true },
        });
      }
      return user;
    });
  },

  async get({ db, userId }: { db: Db; userId: string }): Promise<SignedInUser | null> {
    return db.user.findUnique({ where: { id: userId }, select: userSelect });
  },
};
