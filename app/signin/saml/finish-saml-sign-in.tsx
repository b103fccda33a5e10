"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useEffect, useRef, useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";

/** Turns the ACS's one-time ticket into a session; a refusal goes to the sign-in page, which words its code. */
export function FinishSamlSignIn({ ticket, callbackUrl }: { ticket: string; callbackUrl: string }) {
  const [unreachable, setUnreachable] = useState(false);
  const started = useRef(false);

  useEffect(() => {
    // Once only: a ticket is spent by its first use, and React may run effects twice in development.
    if (started.current) return;
    started.current = true;
    if (!ticket) {
      window.location.replace("/signin?error=SamlTicket");
      return;
    }
    signIn("saml", { ticket, callbackUrl, redirect: false }).then(
      (result) => {
        if (result?.ok && !result.error) window.location.replace(callbackUrl);
        else window.location.replace(`/signin?error=${encodeURIComponent(result?.error ?? "Callback")}`);
      },
      () => setUnreachable(true),
    );
  }, [ticket, callbackUrl]);

  if (unreachable) {
    return (
      <>
        <h1 className="text-xl font-semibold">Single sign-on did not finish</h1>
        <ErrorAlert>Could not reach Streamware to finish signing you in. Check your connection and sign in again.</ErrorAlert>
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
