import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getDb } from "../db";
import { ssoService } from "../services/sso-service";
import { authOptions } from "./options";

/** The signed-in user as procedures and route handlers see them. */
export interface ContextUser {
  id: string;
  email: string;
  name: string | null;
  /** The workspace SSO connection this session signed in through, or null for any other sign-in. */
  ssoConnectionId?: string | null;
}

/**
 * The session's user, and whether a workspace's "require SSO" refuses it: a person whose email domain is claimed by
 * such a workspace holds no session but one signed in through that workspace's connection (a session begun another
 * way before "require SSO" was turned on ends here, everywhere at once, as every entry point reads the session here).
 */
async function session(): Promise<{ user: ContextUser | null; ssoRequired: boolean }> {
  const session = await getServerSession(authOptions());
  if (!session?.user?.id) return { user: null, ssoRequired: false };
  const user = { id: session.user.id, email: session.user.email ?? "", name: session.user.name ?? null, ssoConnectionId: session.user.ssoConnectionId ?? null };
  if (await ssoService.requiredConnection({ db: await getDb(), email: user.email, via: user.ssoConnectionId })) return { user: null, ssoRequired: true };
  return { user, ssoRequired: false };
}

export async function currentUser(): Promise<ContextUser | null> {
  return (await session()).user;
}

/** For pages: the signed-in user, or a redirect to the sign-in page that comes back here afterwards. */
export async function requireUser(returnTo: string): Promise<ContextUser> {
  const { user, ssoRequired } = await session();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}${ssoRequired ? "&error=SsoRequired" : ""}`);
  return user;
}
