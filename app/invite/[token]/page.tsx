import Link from "next/link";
import { currentUser } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { invitationService, type InvitationView } from "@/server/services/invitation-service";
import { roleArticle } from "@/server/services/workspace-roles";
import { BrandCard } from "@/app/_components/brand-card";
import { AcceptInvitation } from "./accept-invitation";

export const dynamic = "force-dynamic";

const closed: Record<Exclude<InvitationView["state"], "pending">, string> = {
  expired: "This invitation expired. Ask the person who invited you for a new one.",
  used: "This invitation was already used. If that was you, the workspace is in your list.",
  revoked: "This invitation was withdrawn or replaced by a newer one. Ask for a new link.",
  unknown: "This invitation link is not valid. Check that you copied all of it, or ask for a new one.",
};

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [view, user] = await Promise.all([invitationService.view({ db: await getDb(), token }), currentUser()]);
  const here = `/invite/${encodeURIComponent(token)}`;

  return (
    <BrandCard width="max-w-md">
        {view.state !== "pending" ? (
          <>
            <h1 className="text-xl font-semibold">This invitation cannot be used</h1>
            <p role="alert" className="text-sm text-slate-700 dark:text-slate-300">{closed[view.state]}</p>
            <Link href="/" className="inline-block text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
              Go to Streamware
            </Link>
          </>
        ) : (
          <>
            <h1 className="text-xl font-semibold">Join {view.workspaceName}</h1>
            <p className="text-sm text-slate-700 dark:text-slate-300">
              {view.invitedBy ?? "Someone"} invited <strong>{view.email}</strong> to the workspace <strong>{view.workspaceName}</strong> as{" "}
              {roleArticle(view.role)} <strong>{view.role}</strong>. The link works once, until {view.expiresAt.toUTCString()}.
            </p>
            {user ? (
              <AcceptInvitation token={token} signedInAs={user.email} invitedEmail={view.email} />
            ) : (
              <Link
                href={`/signin?callbackUrl=${encodeURIComponent(here)}`}
                className="inline-block rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500"
              >
                Sign in as {view.email} to accept
              </Link>
            )}
          </>
        )}
    </BrandCard>
  );
}
