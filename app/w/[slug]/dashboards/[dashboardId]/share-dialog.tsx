"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { MAX_EMBED_ORIGINS, sharePath, type ShareSummary } from "@/nodes/_core/dashboard-share";
import { inputClass, primaryButton, secondaryButton } from "../../credentials/form-controls";
import { useWorkspace } from "../../workspace-context";

const EXPIRIES = [
  { key: "never", label: "Never", days: null },
  { key: "1d", label: "In a day", days: 1 },
  { key: "7d", label: "In a week", days: 7 },
  { key: "30d", label: "In 30 days", days: 30 },
  { key: "90d", label: "In 90 days", days: 90 },
] as const;
type ExpiryKey = (typeof EXPIRIES)[number]["key"];

const DAY_MS = 86_400_000;
const when = (value: Date | string) => new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

function stateOf(share: ShareSummary): { text: string; className: string } {
  if (share.revokedAt) return { text: "Revoked", className: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-400" };
  if (!share.active) return { text: "Expired", className: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200" };
  return { text: "Active", className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200" };
}

/** Text with a button that copies it; says so once copied. */
function CopyField({ label, value, multiline = false }: { label: string; value: string; multiline?: boolean }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  const copy = async () => {
    await navigator.clipboard.writeText(value).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="flex gap-2">
        {multiline ? (
          <textarea id={id} readOnly value={value} rows={3} onFocus={(e) => e.currentTarget.select()} className={`${inputClass} font-mono text-xs`} />
        ) : (
          <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} className={`${inputClass} font-mono text-xs`} />
        )}
        <button type="button" onClick={() => void copy()} className={`${secondaryButton} shrink-0 self-start`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

/**
 * Sharing a dashboard: read-only links that work without signing in (each with an optional expiry, revocable), the
 * iframe that embeds one, and the origins whose pages may embed them.
 */
export function ShareDialog({ dashboardId, dashboardName }: { dashboardId: string; dashboardName: string }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [isOpen, setOpen] = useState(false);
  const scope = { workspaceId: workspace.id, dashboardId };
  const shares = useQuery(trpc.dashboardShare.list.queryOptions(scope, { enabled: isOpen }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.dashboardShare.list.queryKey(scope) });
  const create = useMutation(trpc.dashboardShare.create.mutationOptions({ onSuccess: () => refresh() }));
  const revoke = useMutation(trpc.dashboardShare.revoke.mutationOptions({ onSuccess: () => refresh() }));
  const saveOrigins = useMutation(trpc.dashboardShare.setEmbedOrigins.mutationOptions({ onSuccess: () => refresh() }));
  const [label, setLabel] = useState("");
  const [expiry, setExpiry] = useState<ExpiryKey>("never");
  const [origins, setOrigins] = useState<string | null>(null);
  const [made, setMade] = useState<string | null>(null);

  function open() {
    setLabel("");
    setExpiry("never");
    setOrigins(null);
    setMade(null);
    create.reset();
    saveOrigins.reset();
    setOpen(true);
    dialog.current?.showModal();
  }

  function makeLink(event: FormEvent) {
    event.preventDefault();
    const days = EXPIRIES.find((e) => e.key === expiry)!.days;
    create.mutate(
      { ...scope, label: label.trim() || undefined, expiresAt: days === null ? undefined : new Date(Date.now() + days * DAY_MS).toISOString() },
      { onSuccess: ({ token }) => setMade(`${window.location.origin}${sharePath(token)}`) },
    );
  }

  function submitOrigins(event: FormEvent) {
    event.preventDefault();
    const list = (origins ?? "").split(/[\s,]+/).filter(Boolean);
    saveOrigins.mutate({ ...scope, origins: list }, { onSuccess: (saved) => setOrigins(saved.embedOrigins.join("\n")) });
  }

  const originsText = origins ?? shares.data?.embedOrigins.join("\n") ?? "";
  const embed = made ? `<iframe src="${made}" title="${dashboardName.replace(/"/g, "&quot;")}" width="100%" height="600" style="border:0" loading="lazy"></iframe>` : null;

  return (
    <>
      <button type="button" onClick={open} className={secondaryButton}>
        Share
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-title`}
        onClose={() => setOpen(false)}
        className="m-auto max-h-[90dvh] w-[calc(100%-1.5rem)] max-w-xl overflow-y-auto rounded-xl border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-950/40 sm:p-6 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <div className="space-y-6">
          <div className="flex items-start justify-between gap-3">
            <div>
              <h2 id={`${id}-title`} className="text-lg font-semibold">
                Share {dashboardName}
              </h2>
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Anyone with a link sees this dashboard read-only, live, without signing in. Control widgets work only where you allowed shared links in their settings.
              </p>
            </div>
            <button type="button" onClick={() => dialog.current?.close()} aria-label="Close" className={`${secondaryButton} shrink-0`}>
              ✕
            </button>
          </div>

          <form onSubmit={makeLink} className="space-y-3">
            <h3 className="font-medium">New link</h3>
            <div className="grid gap-3 sm:grid-cols-2">
              <label className="block space-y-1 text-sm font-medium">
                <span>Name (optional)</span>
                <input value={label} onChange={(e) => setLabel(e.target.value)} maxLength={80} placeholder="Lobby screen" className={inputClass} />
              </label>
              <label className="block space-y-1 text-sm font-medium">
                <span>Expires</span>
                <select value={expiry} onChange={(e) => setExpiry(e.target.value as ExpiryKey)} className={inputClass}>
                  {EXPIRIES.map((e) => (
                    <option key={e.key} value={e.key}>
                      {e.label}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <button type="submit" disabled={create.isPending} className={primaryButton}>
              Create link
            </button>
            {create.error && <ErrorAlert>{create.error.message}</ErrorAlert>}
            {made && embed && (
              <div className="space-y-3 rounded-lg border border-emerald-300 bg-emerald-50 p-3 dark:border-emerald-800 dark:bg-emerald-950/40">
                <p className="text-sm text-emerald-900 dark:text-emerald-100">Copy the link now: it is shown only this once.</p>
                <CopyField label="Link" value={made} />
                <CopyField label="Embed" value={embed} multiline />
                <p className="text-xs text-slate-600 dark:text-slate-400">The embed works only on pages of the origins allowed below.</p>
              </div>
            )}
          </form>

          <section className="space-y-2">
            <h3 className="font-medium">Links</h3>
            {shares.error && <ErrorAlert>{shares.error.message}</ErrorAlert>}
            {revoke.error && <ErrorAlert>{revoke.error.message}</ErrorAlert>}
            {shares.data?.shares.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-400">No links yet.</p>}
            <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Share links">
              {shares.data?.shares.map((share) => {
                const state = stateOf(share);
                return (
                  <li key={share.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                    <div className="min-w-0 text-sm">
                      <p className="flex items-center gap-2 font-medium">
                        <span className="truncate">{share.label ?? `Link of ${when(share.createdAt)}`}</span>
                        <span className={`rounded px-1.5 py-0.5 text-xs ${state.className}`}>{state.text}</span>
                      </p>
                      <p className="text-xs text-slate-600 dark:text-slate-400">
                        Made {when(share.createdAt)}
                        {share.revokedAt ? ` · revoked ${when(share.revokedAt)}` : share.expiresAt ? ` · ${share.active ? "expires" : "expired"} ${when(share.expiresAt)}` : " · never expires"}
                      </p>
                    </div>
                    {!share.revokedAt && (
                      <button
                        type="button"
                        disabled={revoke.isPending}
                        onClick={() => {
                          if (window.confirm(`Revoke ${share.label ?? "this link"}? Anyone using it, in a browser or an embed, loses the dashboard at once.`)) {
                            revoke.mutate({ workspaceId: workspace.id, shareId: share.id });
                          }
                        }}
                        className={secondaryButton}
                      >
                        Revoke
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </section>

          <form onSubmit={submitOrigins} className="space-y-2">
            <label htmlFor={`${id}-origins`} className="block font-medium">
              Pages that may embed it
            </label>
            <p id={`${id}-origins-help`} className="text-xs text-slate-600 dark:text-slate-400">
              Origins (scheme, host and port) whose pages may show this dashboard&apos;s links in an iframe, one a line, up to {MAX_EMBED_ORIGINS}. None: no site may frame it.
            </p>
            <textarea
              id={`${id}-origins`}
              aria-describedby={`${id}-origins-help`}
              aria-invalid={saveOrigins.isError}
              value={originsText}
              onChange={(e) => setOrigins(e.target.value)}
              rows={3}
              placeholder="https://intranet.example.com"
              className={`${inputClass} font-mono text-xs`}
            />
            <div className="flex items-center gap-3">
              <button type="submit" disabled={saveOrigins.isPending || origins === null} className={secondaryButton}>
                Save origins
              </button>
              {saveOrigins.isSuccess && origins !== null && <span role="status" className="text-sm text-emerald-700 dark:text-emerald-400">Saved</span>}
            </div>
            {saveOrigins.error && <ErrorAlert>{saveOrigins.error.message}</ErrorAlert>}
          </form>
        </div>
      </dialog>
    </>
  );
}
