"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { SERIES_RETENTION_DAYS, seriesRetentionDays } from "@/nodes/_core/dashboard";
import { can } from "@/server/services/workspace-roles";
import { useWorkspace } from "../workspace-context";
import { TransferSection } from "../export-actions";
import { BrandingSettings } from "./branding-settings";
import { DeleteWorkspace } from "./delete-workspace";

const input = "rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950";
const primary = "rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60";

/**
 * The workspace's name, how long its dashboards keep their points, importing and exporting its flows and, for its
 * owners, deleting it; members and invitations have their own tab.
 */
export function WorkspaceSettings() {
  const workspace = useWorkspace();
  return (
    <div className="max-w-3xl space-y-10">
      <h1 className="text-2xl font-semibold">General</h1>
      {can({ role: workspace.role, permission: "workspace.manage" }) ? (
        <RenameWorkspace />
      ) : (
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-slate-600 dark:text-slate-400">Name</dt>
          <dd>{workspace.name}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Address</dt>
          <dd className="font-mono">/w/{workspace.slug}</dd>
        </dl>
      )}
      {can({ role: workspace.role, permission: "workspace.manage" }) && <BrandingSettings />}
      <SeriesRetention />
      <TransferSection />
      {!workspace.personal && can({ role: workspace.role, permission: "workspace.delete" }) && <DeleteWorkspace />}
    </div>
  );
}

function RenameWorkspace() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const [name, setName] = useState(workspace.name);
  const rename = useMutation(trpc.workspace.rename.mutationOptions({ onSuccess: () => router.refresh() }));

  function submit(event: FormEvent) {
    event.preventDefault();
    rename.mutate({ workspaceId: workspace.id, name });
  }

  return (
    <section aria-labelledby="general-title" className="space-y-3">
      <h2 id="general-title" className="sr-only">
        Name
      </h2>
      <form onSubmit={submit} className="flex items-end gap-2">
        <div className="flex-1 space-y-1">
          <label htmlFor="workspace-name" className="block text-sm font-medium">
            Name
          </label>
          <input id="workspace-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} className={`w-full ${input}`} />
        </div>
        <button type="submit" disabled={!hydrated || rename.isPending} className={primary}>
          Save name
        </button>
      </form>
      {rename.error && <p role="alert" className="text-sm text-red-600">{rename.error.message}</p>}
      {rename.isSuccess && <p className="text-sm text-emerald-600">Saved.</p>}
    </section>
  );
}

/** How many days the dashboards' series points are kept: every member sees it, admins change it. */
function SeriesRetention() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const id = useId();
  const current = useQuery(trpc.workspace.seriesRetention.queryOptions({ workspaceId: workspace.id }));
  const [days, setDays] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation(
    trpc.workspace.setSeriesRetention.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.workspace.seriesRetention.queryKey() });
        setDays(null);
      },
    }),
  );
  const manage = can({ role: workspace.role, permission: "workspace.manage" });
  const shown = days ?? (current.data === undefined ? "" : String(current.data));

  function submit(event: FormEvent) {
    event.preventDefault();
    // Checked here with the server's own rule, so a wrong number is explained before anything is sent.
    const checked = seriesRetentionDays.safeParse(shown.trim() === "" ? undefined : Number(shown));
    if (!checked.success) {
      setProblem(checked.error.issues[0]!.message);
      return;
    }
    setProblem(null);
    save.mutate({ workspaceId: workspace.id, days: checked.data });
  }

  const message = problem ?? save.error?.data?.issues?.[0]?.message ?? save.error?.message;
  return (
    <section aria-labelledby={`${id}-title`} className="space-y-2">
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Dashboard data
      </h2>
      <p id={`${id}-help`} className="text-sm text-slate-600 dark:text-slate-400">
        Points your flows publish to dashboards are kept for this many days ({SERIES_RETENTION_DAYS.min} to {SERIES_RETENTION_DAYS.max}), however long their runs are kept.
      </p>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-2">
        <div className="space-y-1">
          <label htmlFor={`${id}-days`} className="block text-sm font-medium">
            Keep points for (days)
          </label>
          <input
            id={`${id}-days`}
            type="number"
            inputMode="numeric"
            min={SERIES_RETENTION_DAYS.min}
            max={SERIES_RETENTION_DAYS.max}
            step={1}
            required
            disabled={!manage || current.data === undefined}
            value={shown}
            onChange={(e) => {
              setDays(e.target.value);
              setProblem(null);
              save.reset();
            }}
            aria-invalid={message ? true : undefined}
            aria-describedby={message ? `${id}-help ${id}-problem` : `${id}-help`}
            className={`w-32 ${input}`}
          />
        </div>
        {manage && (
          <button type="submit" disabled={!hydrated || save.isPending || current.data === undefined} className={primary}>
            Save retention
          </button>
        )}
      </form>
      {message && (
        <div id={`${id}-problem`}>
          <ErrorAlert>{message}</ErrorAlert>
        </div>
      )}
      {save.isSuccess && <p className="text-sm text-emerald-600 dark:text-emerald-400">Saved. Older points are deleted within the hour.</p>}
      {current.error && <ErrorAlert>{current.error.message}</ErrorAlert>}
    </section>
  );
}
