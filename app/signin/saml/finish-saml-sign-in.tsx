"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useEffect, useRef, useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";

export function FinishSamlSignIn({ ticket, callbackUrl }: { ticket: string; callbackUrl: string }) {
  const [error, setError] = useState<string | null>(ticket ? null : "This sign-in link is incomplete. Sign in again.");
  const started = useRef(false);

  useEffect(() => {
    // Once only: a ticket is spent by its first use, and React may run effects twice in development.
    if (!ticket || started.current) return;
    started.current = true;
    signIn("saml", { ticket, callbackUrl, redirect: false }).then(
      (result) => {
        if (result?.ok && !result.error) window.location.replace(callbackUrl);
        else setError(result?.error && result.error !== "CredentialsSignin" ? result.error : "Signing you in failed. Sign in again.");
      },
      () => setError("Could not reach Streamware to finish signing you in. Sign in again."),
    );
  }, [ticket, callbackUrl]);

  if (error) {
    return (
      <>
        <h1 className="text-xl font-semibold">Single sign-on did not finish</h1>
        <ErrorAlert>{error}</ErrorAlert>
        <Link href="/signin" className="inline-block text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          Back to sign in
        </Link>
      </>
    );
  }
  return (
    <>
      <h1 className="text-xl font-semibold">Signing you in…</h1>
      <p role="status" className="text-sm text-slate-600 dark:text-slate-400">Your identity provider confirmed who you are; opening Streamware.</p>
    </>
  );
}
