"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { AuditLog } from "@/app/_components/audit-log";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { can } from "@/server/services/workspace-roles";
import { useWorkspace } from "../../workspace-context";

const input = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950";
const primary = "rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60";

export function WorkspaceAuditLog() {
  const workspace = useWorkspace();
  return (
    <div className="space-y-6">
      <AuditLog
        scope={{ workspaceId: workspace.id, slug: workspace.slug }}
        description={
          <>
            Every change in this workspace, who made it and from where. Each event is chained to the one before it, so
            an edited or deleted event is found by <code>npm run cli -- audit verify --workspace {workspace.slug}</code>.
          </>
        }
      />
      <Retention />
    </div>
  );
}

function Retention() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const current = useQuery(trpc.audit.retention.queryOptions({ workspaceId: workspace.id }));
  const [days, setDays] = useState<string | null>(null);
  const save = useMutation(
    trpc.audit.setRetention.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.audit.retention.queryKey() }),
    }),
  );
  const manage = can({ role: workspace.role, permission: "workspace.manage" });
  const shown = days ?? (current.data === undefined ? "" : String(current.data));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ workspaceId: workspace.id, days: Number(shown) });
  }

  return (
    <section aria-labelledby="retention-title" className="space-y-2">
      <h2 id="retention-title" className="text-lg font-semibold">
        Retention
      </h2>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <div className="space-y-1">
          <label htmlFor="audit-retention" className="block text-sm">
            Keep events for (days)
          </label>
          <input
            id="audit-retention"
            type="number"
            min={1}
            max={3650}
            required
            disabled={!manage}
            value={shown}
            onChange={(e) => setDays(e.target.value)}
            className={`w-32 ${input}`}
          />
        </div>
        {manage && (
          <button type="submit" disabled={!hydrated || save.isPending} className={primary}>
            Save retention
          </button>
        )}
      </form>
      {save.error && <ErrorAlert>{save.error.data?.issues?.[0]?.message ?? save.error.message}</ErrorAlert>}
      {save.isSuccess && <p className="text-sm text-emerald-600 dark:text-emerald-400">Saved. Older events are deleted within the hour.</p>}
    </section>
  );
}
