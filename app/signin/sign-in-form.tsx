"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { useHydrated } from "@/app/_components/use-hydrated";

export function SignInForm({ sso, dev, callbackUrl }: { sso: { name: string } | null; dev: boolean; callbackUrl: string }) {
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function devSignIn(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Read from the field itself: what was typed before the page went live is there, and is what the person sees.
    const email = String(new FormData(event.currentTarget).get("email") ?? "");
    setPending(true);
    await signIn("dev", { email, callbackUrl });
    setPending(false);
  }

  return (
    <div className="space-y-6">
      {sso && (
        <button
          type="button"
          disabled={!hydrated}
          onClick={() => signIn("oidc", { callbackUrl })}
          className="w-full rounded-lg bg-indigo-600 px-4 py-2.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
        >
          Continue with {sso.name}
        </button>
      )}
      {sso && dev && (
        <div className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-500">
          <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" /> or <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
        </div>
      )}
      {dev && (
        <form onSubmit={devSignIn} className="space-y-3">
          <label className="block text-sm font-medium" htmlFor="dev-email">
            Email
          </label>
          <input
            id="dev-email"
            name="email"
            type="email"
            required
            autoComplete="email"
            placeholder="you@example.com"
            className="w-full rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950"
          />
          <button
            type="submit"
            disabled={pending || !hydrated}
            className="w-full rounded-lg border border-slate-300 px-4 py-2.5 font-medium hover:bg-slate-100 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            Sign in for development
          </button>
          <p className="text-xs text-slate-500">Development sign-in trusts the email you type. Turn it off in production with DEV_LOGIN=false.</p>
        </form>
      )}
    </div>
  );
}
