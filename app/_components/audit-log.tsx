"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";

const input = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950";
const primary = "rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60";
const secondary = "whitespace-nowrap rounded-lg border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-100 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800";

const filterKeys = ["actor", "action", "targetType", "from", "to"] as const;
type FilterKey = (typeof filterKeys)[number];
type Filter = Partial<Record<FilterKey, string>>;

/** The filter's days as the instants the server takes: `from` at the start of its day, `to` at its end (local time). */
function serverFilter(filter: Filter) {
  return {
    actor: filter.actor || undefined,
    action: filter.action || undefined,
    targetType: filter.targetType || undefined,
    from: filter.from ? new Date(`${filter.from}T00:00:00`).toISOString() : undefined,
    to: filter.to ? new Date(`${filter.to}T23:59:59.999`).toISOString() : undefined,
  };
}

/** What an event's data calls its target (a user's email, a flow's or deleted workspace's name), to show beside its id. */
function labelOf(data: unknown): string | null {
  if (!data || typeof data !== "object") return null;
  const label = "email" in data ? data.email : "name" in data ? data.name : null;
  return typeof label === "string" ? label : null;
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  link.click();
  URL.revokeObjectURL(url);
}

/** Whose chain the log shows: one workspace's, or the instance's own (for instance administrators). */
export type AuditScope = { workspaceId: string; slug: string } | "instance";

/**
 * An audit chain's events with their filters, paging and CSV export; the workspace's settings and the instance's
 * admin pages show the same log of different chains.
 */
export function AuditLog({ scope, description }: { scope: AuditScope; description: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const hydrated = useHydrated();
  // The filter lives in the address, so a filtered view can be shared and survives a reload.
  const filter: Filter = Object.fromEntries(filterKeys.flatMap((key) => (params.get(key) ? [[key, params.get(key)!]] : [])));
  const [draft, setDraft] = useState<Filter>(filter);
  const query = serverFilter(filter);
  const pages = { getNextPageParam: (page: { nextCursor: number | null }) => page.nextCursor ?? undefined };
  const events = useInfiniteQuery(
    scope === "instance"
      ? trpc.admin.audit.infiniteQueryOptions({ ...query, limit: 50 }, pages)
      : trpc.audit.list.infiniteQueryOptions({ ...query, workspaceId: scope.workspaceId, limit: 50 }, pages),
  );
  const [exporting, setExporting] = useState<string | null>(null);

  function apply(event: FormEvent) {
    event.preventDefault();
    const next = new URLSearchParams(Object.entries(draft).filter(([, value]) => value));
    router.replace(next.size ? `${pathname}?${next}` : pathname);
  }

  async function exportCsv() {
    setExporting("Preparing the export…");
    try {
      const { csv, events: count } =
        scope === "instance"
          ? await queryClient.fetchQuery(trpc.admin.auditCsv.queryOptions(query, { staleTime: 0 }))
          : await queryClient.fetchQuery(trpc.audit.exportCsv.queryOptions({ ...query, workspaceId: scope.workspaceId }, { staleTime: 0 }));
      download(`audit-${scope === "instance" ? "instance" : scope.slug}-${new Date().toISOString().slice(0, 10)}.csv`, csv);
      setExporting(`Exported ${count} event${count === 1 ? "" : "s"}.`);
    } catch (err) {
      setExporting(err instanceof Error ? err.message : "The export failed.");
    }
  }

  const rows = events.data?.pages.flatMap((page) => page.events) ?? [];

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">{description}</p>
      </div>

      <form onSubmit={apply} aria-label="Filter events" className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-6 dark:border-slate-800 dark:bg-slate-900">
        {(
          [
            ["actor", "Actor", "text", "email or API key name"],
            ["action", "Action", "text", "flow, flow.activate, …"],
            ["targetType", "Target", "text", "flow, credential, member, …"],
            ["from", "From", "date", ""],
            ["to", "To", "date", ""],
          ] as const
        ).map(([key, label, type, placeholder]) => (
          <div key={key} className="space-y-1">
            <label htmlFor={`audit-${key}`} className="block text-xs font-medium text-slate-600 dark:text-slate-400">
              {label}
            </label>
            <input
              id={`audit-${key}`}
              type={type}
              placeholder={placeholder}
              value={draft[key] ?? ""}
              onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
              className={`w-full ${input}`}
            />
          </div>
        ))}
        <div className="flex items-end gap-2">
          <button type="submit" disabled={!hydrated} className={primary}>
            Filter
          </button>
          <button type="button" disabled={!hydrated} onClick={() => void exportCsv()} className={secondary}>
            Export CSV
          </button>
        </div>
      </form>
      {exporting && <p role="status" className="text-sm text-slate-600 dark:text-slate-400">{exporting}</p>}
      {events.error && <ErrorAlert>{events.error.data?.issues?.[0]?.message ?? events.error.message}</ErrorAlert>}

      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm">
          <caption className="sr-only">Audit events, newest first</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50">
            <tr>
              <th className="px-4 py-2 font-medium">Time</th>
              <th className="px-4 py-2 font-medium">Actor</th>
              <th className="px-4 py-2 font-medium">Action</th>
              <th className="px-4 py-2 font-medium">Target</th>
              <th className="px-4 py-2 font-medium">From</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {rows.map((event) => (
              <tr key={event.id} className="align-top">
                <td className="whitespace-nowrap px-4 py-2 text-slate-600 dark:text-slate-400">
                  <time dateTime={new Date(event.createdAt).toISOString()}>{new Date(event.createdAt).toLocaleString()}</time>
                </td>
                <td className="px-4 py-2">{event.actor ?? (event.actorKind === "system" ? "Streamware" : event.actorKind === "shareLink" ? "A shared link" : "—")}{event.actorKind === "apiKey" && <span className="ml-1 text-xs text-slate-500">(API key)</span>}</td>
                <td className="px-4 py-2 font-mono text-xs">{event.action}</td>
                <td className="px-4 py-2">
                  {event.targetType}
                  {labelOf(event.data) && <span className="ml-1">{labelOf(event.data)}</span>}
                  {event.targetId && <span className="ml-1 font-mono text-xs text-slate-500">{event.targetId}</span>}
                </td>
                <td className="px-4 py-2 text-xs text-slate-500" title={event.userAgent ?? undefined}>
                  {event.ip ?? "—"}
                </td>
              </tr>
            ))}
            {events.isSuccess && rows.length === 0 && (
              <tr>
                <td colSpan={5} className="px-4 py-6 text-center text-slate-500">
                  No events match this filter.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {events.hasNextPage && (
        <button type="button" disabled={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()} className={secondary}>
          {events.isFetchingNextPage ? "Loading…" : "Load older events"}
        </button>
      )}

    </div>
  );
}
