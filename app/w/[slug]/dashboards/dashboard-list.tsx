"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { inputClass, primaryButton, secondaryButton } from "../credentials/form-controls";
import { canEditDashboards, useWorkspace } from "../workspace-context";
import { GenerateDashboardDialog } from "./generate-dashboard-dialog";

const updated = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

/** The workspace's dashboards, and a new one for those who may edit them. */
export function DashboardList() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const dashboards = useQuery(trpc.dashboard.list.queryOptions({ workspaceId: workspace.id }));
  const editable = canEditDashboards(workspace);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Dashboards</h1>
          <p className="max-w-2xl text-sm text-slate-600 dark:text-slate-400">
            Live numbers, charts and tables of what your flows publish. A flow writes to a series with a Dashboard publish node; a widget shows that series.
          </p>
        </div>
        {editable ? (
          <div className="flex flex-wrap gap-2">
            <FromFlowButton />
            <NewDashboardDialog />
          </div>
        ) : (
          <p className="text-sm text-slate-500 dark:text-slate-400">You are a viewer here: you can look at dashboards but not change them.</p>
        )}
      </div>
      {dashboards.error && <ErrorAlert>{dashboards.error.message}</ErrorAlert>}
      {dashboards.isPending && <p className="text-sm text-slate-500">Loading…</p>}
      {dashboards.data?.length === 0 && (
        <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">
          No dashboards yet.{editable ? " Make one from what a flow sends out with From a flow…, or start empty with New dashboard and add widgets for the series your flows publish." : ""}
        </p>
      )}
      {dashboards.data && dashboards.data.length > 0 && (
        <ul aria-label="Dashboards" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {dashboards.data.map((dashboard) => (
            <li key={dashboard.id}>
              <Link
                prefetch={false}
                href={`/w/${workspace.slug}/dashboards/${dashboard.id}`}
                className="block h-full rounded-xl border border-slate-200 bg-white p-4 hover:border-indigo-400 hover:shadow-sm dark:border-slate-800 dark:bg-slate-900 dark:hover:border-indigo-500"
              >
                <span className="block font-semibold text-indigo-700 dark:text-indigo-300">{dashboard.name}</span>
                {dashboard.description && <span className="mt-1 line-clamp-2 block text-sm text-slate-600 dark:text-slate-400">{dashboard.description}</span>}
                <span className="mt-3 block text-xs text-slate-500 dark:text-slate-400">
                  {dashboard.widgetCount === 1 ? "1 widget" : `${dashboard.widgetCount} widgets`} · updated {updated.format(new Date(dashboard.updatedAt))}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A dashboard proposed from what a flow sends out, picking the flow in the dialog. */
function FromFlowButton() {
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" disabled={!hydrated} onClick={() => setOpen(true)} className="rounded-lg border border-indigo-300 px-4 py-2 font-medium text-indigo-700 hover:bg-indigo-50 disabled:opacity-60 dark:border-indigo-700 dark:text-indigo-300 dark:hover:bg-indigo-950">
        From a flow…
      </button>
      <GenerateDashboardDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}

function NewDashboardDialog() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation(trpc.dashboard.create.mutationOptions());

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      { workspaceId: workspace.id, name, description: description.trim() || undefined },
      {
        onSuccess: async ({ id }) => {
          await queryClient.invalidateQueries({ queryKey: trpc.dashboard.list.queryKey() });
          dialog.current?.close();
          router.push(`/w/${workspace.slug}/dashboards/${id}`);
        },
      },
    );
  }

  return (
    <>
      <button
        type="button"
        disabled={!hydrated}
        onClick={() => {
          setName("");
          setDescription("");
          create.reset();
          dialog.current?.showModal();
        }}
        className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
      >
        New dashboard
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="new-dashboard-title"
        className="m-auto w-full max-w-md rounded-xl border border-slate-200 bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-950/40 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <form onSubmit={submit} className="space-y-4">
          <h2 id="new-dashboard-title" className="text-lg font-semibold">
            New dashboard
          </h2>
          <label className="block space-y-1 text-sm font-medium">
            <span>Dashboard name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} autoFocus className={inputClass} />
          </label>
          <label className="block space-y-1 text-sm font-medium">
            <span>
              Description <span className="font-normal text-slate-500 dark:text-slate-400">(optional)</span>
            </span>
            <textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} rows={2} className={inputClass} />
          </label>
          {create.error && <ErrorAlert>{create.error.message}</ErrorAlert>}
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className={secondaryButton}>
              Cancel
            </button>
            <button type="submit" disabled={create.isPending} className={primaryButton}>
              Create dashboard
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
