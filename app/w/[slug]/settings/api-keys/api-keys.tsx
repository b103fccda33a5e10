"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { apiKeyScopeNames, apiKeyScopes, type ApiKeyScope } from "@/server/services/workspace-roles";
import { useWorkspace } from "../../workspace-context";

const input = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950";
const primary = "rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60";
const secondary = "whitespace-nowrap rounded-lg border border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-100 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800";
const danger = "whitespace-nowrap rounded-lg bg-red-600 px-3 py-2 text-sm font-medium text-white hover:bg-red-500 disabled:opacity-60";

const DAY_MS = 86_400_000;
const expiries = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never" },
] as const;

function when(date: Date | string | null): string {
  return date ? new Date(date).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "";
}

/** The new key, shown this once with a copy button and an example: the server keeps only its hash. */
function IssuedKey({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  // Brought into view and selected, since the button that made it may be a screen further down on a phone.
  useEffect(() => field.current?.focus(), [secret]);
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  return (
    <div role="status" className="space-y-3 rounded-xl border border-emerald-300 bg-emerald-50 p-4 text-sm dark:border-emerald-800 dark:bg-emerald-950">
      <p className="font-medium">Key “{name}” is ready. Copy it now: it is shown only this once.</p>
      <div className="flex flex-wrap gap-2">
        <input ref={field} aria-label={`Secret of the key ${name}`} readOnly value={secret} onFocus={(e) => e.target.select()} className={`min-w-0 flex-1 basis-64 font-mono text-xs ${input}`} />
        <button type="button" onClick={() => void navigator.clipboard.writeText(secret).then(() => setCopied(true))} className={secondary}>
          {copied ? "Copied" : "Copy key"}
        </button>
      </div>
      <p className="text-slate-700 dark:text-slate-300">Send it in the Authorization header, for example:</p>
      <pre className="overflow-x-auto rounded-lg bg-white p-3 font-mono text-xs dark:bg-slate-900">
        curl -H &quot;Authorization: Bearer {secret.slice(0, 12)}…&quot; {origin}/api/v1/flows
      </pre>
      <button type="button" onClick={onDone} className={secondary}>
        I have copied it
      </button>
    </div>
  );
}

/** Make keys for the REST API with scopes and an expiry; list them with when they were last used; revoke them. */
export function ApiKeys() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["read"]);
  const [expiry, setExpiry] = useState<(typeof expiries)[number]["value"]>("90");
  const [issued, setIssued] = useState<{ name: string; secret: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  // Programs use keys while nobody looks: coming back to the page reads their last use again, however recent the copy.
  const keys = useQuery({ ...trpc.apiKey.list.queryOptions({ workspaceId: workspace.id }), refetchOnMount: "always" });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKey.list.queryKey() });
  const create = useMutation(
    trpc.apiKey.create.mutationOptions({
      onSuccess: async (result) => {
        setIssued({ name: result.key.name, secret: result.secret });
        setName("");
        await refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.apiKey.revoke.mutationOptions({ onSuccess: async () => { setConfirming(null); await refresh(); } }));
  const error = create.error ?? revoke.error ?? keys.error;

  function submit(event: FormEvent) {
    event.preventDefault();
    const expiresAt = expiry === "never" ? undefined : new Date(Date.now() + Number(expiry) * DAY_MS);
    create.mutate({ workspaceId: workspace.id, name, scopes, expiresAt });
  }

  function toggle(scope: ApiKeyScope, on: boolean) {
    setScopes((current) => apiKeyScopeNames.filter((s) => (s === scope ? on : current.includes(s))));
  }

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold">API keys</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Programs use these keys to work with this workspace through the REST API at <code>/api/v1</code>. A key acts within its scopes, and never
          beyond what the member who made it may do. <Link prefetch={false} href={`/w/${workspace.slug}/settings/api-keys/reference`} className="font-medium text-indigo-700 underline dark:text-indigo-300">Open the API reference</Link>
        </p>
      </div>

      {/* Above the form, where the eye is when the key appears, also on a phone. */}
      {error && <ErrorAlert>{error.data?.issues?.[0]?.message ?? error.message}</ErrorAlert>}
      {issued && <IssuedKey name={issued.name} secret={issued.secret} onDone={() => setIssued(null)} />}

      <form onSubmit={submit} aria-labelledby="new-key-title" className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
        <h2 id="new-key-title" className="font-semibold">
          New key
        </h2>
        <div className="flex flex-wrap items-end gap-3">
          <div className="min-w-56 flex-1 space-y-1">
            <label htmlFor="api-key-name" className="block text-sm">
              Name
            </label>
            <input id="api-key-name" required maxLength={80} placeholder="Nightly import job" value={name} onChange={(e) => setName(e.target.value)} className={`w-full ${input}`} />
          </div>
          <div className="space-y-1">
            <label htmlFor="api-key-expiry" className="block text-sm">
              Expires after
            </label>
            <select id="api-key-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value as typeof expiry)} className={input}>
              {expiries.map((e) => (
                <option key={e.value} value={e.value}>
                  {e.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <fieldset className="space-y-2">
          <legend className="mb-1 text-sm">Scopes</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {apiKeyScopeNames.map((scope) => (
              <label key={scope} className="flex items-start gap-2 rounded-lg border border-slate-200 p-2 text-sm dark:border-slate-800">
                <input type="checkbox" className="mt-1" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
                <span>
                  <span className="font-mono font-medium">{scope}</span>
                  <span className="block text-slate-600 dark:text-slate-400">{apiKeyScopes[scope].what}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" disabled={!hydrated || create.isPending || scopes.length === 0} className={primary}>
          Create key
        </button>
      </form>

      <section aria-labelledby="keys-title" className="space-y-2">
        <h2 id="keys-title" className="font-semibold">
          Keys
        </h2>
        {keys.data?.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-400">No keys yet.</p>}
        {keys.data && keys.data.length > 0 && (
          <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white text-sm dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
            {keys.data.map((key) => {
              const { expired } = key;
              const state = key.revokedAt ? `Revoked ${when(key.revokedAt)}` : expired ? `Expired ${when(key.expiresAt)}` : null;
              return (
                <li key={key.id} aria-label={`API key ${key.name}`} className={`space-y-2 px-4 py-3 ${state ? "opacity-70" : ""}`}>
                  <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                    <span className="font-medium">{key.name}</span>
                    <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs dark:bg-slate-800">{key.prefix}…</code>
                    <span className="flex flex-wrap gap-1">
                      {key.scopes.map((scope) => (
                        <span key={scope} className="rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200">
                          {scope}
                        </span>
                      ))}
                    </span>
                    {state ? (
                      <span className="ml-auto rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium dark:bg-slate-700">{state}</span>
                    ) : (
                      confirming !== key.id && (
                        <button type="button" disabled={!hydrated} onClick={() => setConfirming(key.id)} aria-label={`Revoke ${key.name}`} className={`ml-auto ${secondary} text-red-700 dark:text-red-300`}>
                          Revoke
                        </button>
                      )
                    )}
                  </div>
                  <p className="text-xs text-slate-600 dark:text-slate-400">
                    Created {when(key.createdAt)}
                    {key.createdBy && ` by ${key.createdBy}`} · {key.expiresAt ? `${expired ? "expired" : "expires"} ${when(key.expiresAt)}` : "never expires"} ·{" "}
                    {key.lastUsedAt ? `last used ${when(key.lastUsedAt)}` : "never used"}
                  </p>
                  {confirming === key.id && !state && (
                    <div role="alertdialog" aria-labelledby={`revoke-${key.id}`} className="flex flex-wrap items-center gap-2 rounded-lg bg-red-50 p-3 dark:bg-red-950">
                      <p id={`revoke-${key.id}`} className="flex-1 basis-64 text-red-900 dark:text-red-100">
                        Revoke “{key.name}”? Programs using it are refused from now on; this cannot be undone.
                      </p>
                      <button type="button" disabled={revoke.isPending} onClick={() => revoke.mutate({ workspaceId: workspace.id, apiKeyId: key.id })} className={danger}>
                        Revoke key
                      </button>
                      <button type="button" onClick={() => setConfirming(null)} className={secondary}>
                        Cancel
                      </button>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
