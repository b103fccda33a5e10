import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "./options";

/** The signed-in user as procedures and route handlers see them. */
export interface ContextUser {
  id: string;
  email: string;
  name: string | null;
  /** The workspace SSO connection this session signed in through, or null for any other sign-in. */
  ssoConnectionId?: string | null;
}

export async function currentUser(): Promise<ContextUser | null> {
  const session = await getServerSession(authOptions());
  if (!session?.user?.id) return null;
  return { id: session.user.id, email: session.user.email ?? "", name: session.user.name ?? null };
}

/** For pages: the signed-in user, or a redirect to the sign-in page that comes back here afterwards. */
export async function requireUser(returnTo: string): Promise<ContextUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}
