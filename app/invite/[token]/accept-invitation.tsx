"use client";

import { useMutation } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import { useRouter } from "next/navigation";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";

/** Accepts for the signed-in person, or, signed in with another address, offers to switch. */
export function AcceptInvitation({ token, signedInAs, invitedEmail }: { token: string; signedInAs: string; invitedEmail: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const accept = useMutation(trpc.invitation.accept.mutationOptions({ onSuccess: ({ slug }) => router.push(`/w/${slug}`) }));
  const sameAddress = signedInAs.toLowerCase() === invitedEmail.toLowerCase();

  if (!sameAddress) {
    return (
      <div className="space-y-3">
        <p className="text-sm text-slate-700 dark:text-slate-300">
          You are signed in as <strong>{signedInAs}</strong>. This invitation is for <strong>{invitedEmail}</strong>: sign in with that address to accept it.
        </p>
        <button
          type="button"
          disabled={!hydrated}
          onClick={() => signOut({ callbackUrl: `/signin?callbackUrl=${encodeURIComponent(`/invite/${encodeURIComponent(token)}`)}` })}
          className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
        >
          Sign in as {invitedEmail}
        </button>
      </div>
    );
  }
  return (
    <div className="space-y-3">
      {accept.error && <ErrorAlert>{accept.error.message}</ErrorAlert>}
      <button
        type="button"
        disabled={!hydrated || accept.isPending || accept.isSuccess}
        onClick={() => accept.mutate({ token })}
        className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
      >
        {accept.isPending || accept.isSuccess ? "Joining…" : "Accept and join"}
      </button>
    </div>
  );
}
