"use client";

import { useQueryClient } from "@tanstack/react-query";
import { getCsrfToken, signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";

/**
 * Starts a sign-in with a workspace's provider by posting next-auth's sign-in form. next-auth's own `signIn()` first
 * looks the provider up in the instance's list, which holds only the providers every request has, not these.
 */
async function postSignIn({ providerId, callbackUrl }: { providerId: string; callbackUrl: string }) {
  const csrfToken = await getCsrfToken();
  if (!csrfToken) throw new Error("The sign-in could not start; reload the page and try again.");
  const form = document.createElement("form");
  form.method = "post";
  form.action = `/api/auth/signin/${encodeURIComponent(providerId)}`;
  for (const [name, value] of Object.entries({ csrfToken, callbackUrl })) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}

export function SignInForm({ sso, workspaceSso, dev, callbackUrl }: { sso: { name: string } | null; workspaceSso: boolean; dev: boolean; callbackUrl: string }) {
  const [pending, setPending] = useState(false);
  const [ssoError, setSsoError] = useState<string | null>(null);
  const hydrated = useHydrated();
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  /** Sends the person to the identity provider of the workspace that claims their email's domain. */
  async function workspaceSignIn(email: string) {
    setSsoError(null);
    setPending(true);
    try {
      const route = await queryClient.fetchQuery({ ...trpc.sso.route.queryOptions({ email }), staleTime: 0, retry: false });
      if (route.protocol === "oidc") await postSignIn({ providerId: route.providerId, callbackUrl });
      // A route handler, not a page: a full navigation, which the SAML sign-in answers with a redirect to the provider.
      else {
        const target = new URL(route.url, window.location.origin);
        target.searchParams.set("callbackUrl", callbackUrl);
        window.location.href = target.href;
      }
    } catch (err) {
      setSsoError(err instanceof Error ? err.message : String(err));
      setPending(false);
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Read from the field itself: what was typed before the page went live is there, and is what the person sees.
    const email = String(new FormData(event.currentTarget).get("email") ?? "");
    const method = (event.nativeEvent as SubmitEvent).submitter?.getAttribute("value");
    if (method === "sso") return workspaceSignIn(email);
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
      {sso && (dev || workspaceSso) && (
        <div className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-500">
          <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" /> or <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
        </div>
      )}
      {(dev || workspaceSso) && (
        <form onSubmit={submit} className="space-y-3">
          <label className="block text-sm font-medium" htmlFor="signin-email">
            Email
          </label>
          <input
            id="signin-email"
            name="email"
            type="email"
            required
            autoComplete="email"
            placeholder="you@example.com"
            aria-describedby={ssoError ? "signin-sso-error" : undefined}
            className="w-full rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950"
          />
          {ssoError && (
            <ErrorAlert>
              <span id="signin-sso-error">{ssoError}</span>
            </ErrorAlert>
          )}
          {workspaceSso && (
            <button
              type="submit"
              name="method"
              value="sso"
              disabled={pending || !hydrated}
              className="w-full rounded-lg bg-indigo-600 px-4 py-2.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
            >
              Continue with SSO
            </button>
          )}
          {workspaceSso && <p className="text-xs text-slate-500">Continue with SSO takes you to your organisation&apos;s sign-in, found by your email&apos;s domain.</p>}
          {dev && (
            <>
              <button
                type="submit"
                name="method"
                value="dev"
                disabled={pending || !hydrated}
                className="w-full rounded-lg border border-slate-300 px-4 py-2.5 font-medium hover:bg-slate-100 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800"
              >
                Sign in for development
              </button>
              <p className="text-xs text-slate-500">Development sign-in trusts the email you type. Turn it off in production with DEV_LOGIN=false.</p>
            </>
          )}
        </form>
      )}
    </div>
  );
}
