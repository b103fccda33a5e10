"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/_app";
import { canEdit, canEditDashboards, useWorkspace } from "./workspace-context";
import { GenerateDashboardDialog } from "./dashboards/generate-dashboard-dialog";
import { ErrorAlert } from "@/app/_components/error-alert";
import { renamedPathLines, type DuplicateResult } from "./flow-copy";
import { allTags, filterFlows, type FlowFilter } from "./flow-filter";
import { FlowListFilter } from "./flow-list-filter";
import { TagChips, TagEditor } from "./flow-tags";
import { ExportWorkspaceMenu, useExport } from "./export-actions";
import { ImportDialog, readImportFile, type ImportStart } from "./import-dialog";
import { useFileDrop } from "./use-file-drop";

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

function ago(date: Date): string {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [["day", 86400], ["hour", 3600], ["minute", 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

export function FlowList() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const flows = useQuery(trpc.flow.list.queryOptions({ workspaceId: workspace.id }));
  const editable = canEdit(workspace);
  const [filter, setFilter] = useState<FlowFilter>({ query: "", tag: "" });
  const [copied, setCopied] = useState<DuplicateResult | null>(null);
  const shown = flows.data ? filterFlows(flows.data, filter) : [];
  const [importing, setImporting] = useState<{ id: number; start: ImportStart } | null>(null);
  const drop = useFileDrop({ enabled: editable, onFile: (file) => void readImportFile(file).then((start) => setImporting({ id: Date.now(), start })) });

  return (
    <section {...drop.handlers} className="relative min-h-[60vh]">
      {drop.over && (
        <div aria-hidden className="pointer-events-none fixed inset-3 z-40 flex items-center justify-center rounded-2xl border-4 border-dashed border-indigo-500 bg-indigo-50/85 dark:bg-indigo-950/85">
          <p className="rounded-lg bg-white px-6 py-4 text-lg font-semibold text-indigo-800 shadow dark:bg-slate-900 dark:text-indigo-200">
            Drop to import: a Streamware, n8n or Node-RED export
          </p>
        </div>
      )}
      <div className="mb-6 flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Flows</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">{workspace.name}</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <ExportWorkspaceMenu />
          {editable ? (
            <>
              <button
                type="button"
                title="A Streamware, n8n or Node-RED export; or drop the file anywhere on this page"
                onClick={() => setImporting({ id: Date.now(), start: null })}
                className="rounded-lg border border-slate-300 px-4 py-2 font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
              >
                Import
              </button>
              <Link prefetch={false} href={`/w/${workspace.slug}/templates`} className="rounded-lg border border-slate-300 px-4 py-2 font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
                New from template
              </Link>
              <NewFlowDialog />
            </>
          ) : (
            <p className="text-sm text-slate-500">You are a viewer here: you can open flows but not change them.</p>
          )}
        </div>
      </div>
      {importing && <ImportDialog key={importing.id} start={importing.start} onClose={() => setImporting(null)} />}
      {flows.error && (
        <ErrorAlert>Could not load flows: {flows.error.message}</ErrorAlert>
      )}
      {flows.isPending && <p className="text-sm text-slate-500">Loading flows…</p>}
      {flows.data?.length === 0 && (
        <div className="rounded-xl border border-dashed border-slate-300 p-10 text-center dark:border-slate-700">
          <p className="font-medium">No flows yet</p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {editable ? "Create your first flow to start wiring triggers and nodes together." : "Nothing has been built here yet."}
          </p>
        </div>
      )}
      {copied && <CopyNotice result={copied} onDismiss={() => setCopied(null)} />}
      {flows.data && flows.data.length > 0 && (
        <>
          <FlowListFilter filter={filter} onChange={setFilter} tags={allTags(flows.data)} />
          {shown.length === 0 && (
            <p className="rounded-xl border border-dashed border-slate-300 p-6 text-center text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">
              {filter.query.trim() ? `No flow matches “${filter.query.trim()}”${filter.tag ? ` with the tag “${filter.tag}”` : ""}.` : `No flow has the tag “${filter.tag}”.`}
            </p>
          )}
          {shown.length > 0 && (
            <ul aria-label="Flows" className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
              {shown.map((flow) => (
                <FlowRow key={flow.id} flow={flow} editable={editable} onDuplicated={setCopied} onPickTag={(tag) => setFilter({ query: "", tag })} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function useInvalidateFlows() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.flow.list.queryKey() });
}

function NewFlowDialog() {
  const workspace = useWorkspace();
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState("");
  const router = useRouter();
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const invalidate = useInvalidateFlows();
  const create = useMutation(trpc.flow.create.mutationOptions());

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      { workspaceId: workspace.id, name },
      {
        onSuccess: async (flow) => {
          await invalidate();
          dialog.current?.close();
          router.push(`/w/${workspace.slug}/flows/${flow.id}`);
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
          create.reset();
          dialog.current?.showModal();
        }}
        className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
      >
        New flow
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="new-flow-title"
        className="m-auto w-full max-w-md rounded-xl border border-slate-200 bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-950/40 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <form onSubmit={submit} className="space-y-4">
          <h2 id="new-flow-title" className="text-lg font-semibold">
            New flow
          </h2>
          <div className="space-y-1">
            <label htmlFor="flow-name" className="block text-sm font-medium">
              Flow name
            </label>
            <input
              id="flow-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={120}
              autoFocus
              className="w-full rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950"
            />
          </div>
          {create.error && (
            <p role="alert" className="text-sm text-red-600">
              {create.error.message}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className="rounded-lg px-4 py-2 hover:bg-slate-100 dark:hover:bg-slate-800">
              Cancel
            </button>
            <button type="submit" disabled={create.isPending} className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60">
              Create flow
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** A flow as the API lists it. */
type FlowSummary = inferRouterOutputs<AppRouter>["flow"]["list"][number];

/** Says what a duplicate is and which webhook paths it got, until dismissed. */
function CopyNotice({ result, onDismiss }: { result: DuplicateResult; onDismiss: () => void }) {
  const workspace = useWorkspace();
  const lines = renamedPathLines(result);
  return (
    <div role="status" className="mb-4 flex items-start gap-3 rounded-lg border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100">
      <div className="min-w-0 flex-1">
        <p>
          Created “{result.flow.name}”, inactive.{" "}
          <Link href={`/w/${workspace.slug}/flows/${result.flow.id}`} className="font-medium underline">
            Open the copy
          </Link>
        </p>
        {lines.length > 0 && (
          <ul className="mt-1 list-disc pl-5 text-xs">
            {lines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" aria-label="Dismiss" onClick={onDismiss} className="rounded px-1 hover:bg-black/5 dark:hover:bg-white/10">
        ✕
      </button>
    </div>
  );
}

function FlowRow({ flow, editable, onDuplicated, onPickTag }: { flow: FlowSummary; editable: boolean; onDuplicated: (result: DuplicateResult) => void; onPickTag: (tag: string) => void }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const invalidate = useInvalidateFlows();
  const [mode, setMode] = useState<"view" | "rename" | "confirm-delete" | "tags">("view");
  const [generating, setGenerating] = useState(false);
  const duplicate = useMutation(
    trpc.flow.duplicate.mutationOptions({
      onSuccess: async (result) => {
        await invalidate();
        onDuplicated(result);
      },
    }),
  );
  const [name, setName] = useState(flow.name);
  const rename = useMutation(
    trpc.flow.rename.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        setMode("view");
      },
    }),
  );
  const remove = useMutation(trpc.flow.delete.mutationOptions({ onSuccess: () => invalidate() }));

  function submitRename(event: FormEvent) {
    event.preventDefault();
    if (name.trim() === flow.name) return setMode("view");
    rename.mutate({ workspaceId: workspace.id, flowId: flow.id, name });
  }

  function cancelOnEscape(event: KeyboardEvent) {
    if (event.key === "Escape") {
      setName(flow.name);
      setMode("view");
    }
  }

  const exporter = useExport();
  const error = rename.error?.message ?? remove.error?.message ?? duplicate.error?.message ?? exporter.error;

  return (
    <li className="flex flex-wrap items-center gap-4 px-4 py-3">
      {/* At least 15rem wide: on a phone the actions wrap below the name instead of squeezing it. */}
      <div className="min-w-0 flex-1 basis-60">
        {mode === "rename" ? (
          <form onSubmit={submitRename} className="flex items-center gap-2">
            <input
              aria-label={`New name for ${flow.name}`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={cancelOnEscape}
              required
              maxLength={120}
              autoFocus
              className="w-full max-w-sm rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950"
            />
            <button type="submit" disabled={rename.isPending} className="rounded-md bg-indigo-600 px-3 py-1 text-sm text-white">
              Save
            </button>
          </form>
        ) : (
          <Link href={`/w/${workspace.slug}/flows/${flow.id}`} className="font-medium hover:text-indigo-600 hover:underline">
            {flow.name}
          </Link>
        )}
        <p className="mt-0.5 text-xs text-slate-500">
          <span className={flow.active ? "text-emerald-700 dark:text-emerald-400" : undefined} title={flow.active ? "Triggers run the live version" : undefined}>
            {flow.active ? `Active · v${flow.liveVersionNumber} live` : "Inactive"}
          </span>
          {" · "}
          {flow.versionCount === 1 ? "1 version" : `${flow.versionCount} versions`}
          {" · "}updated {ago(flow.updatedAt)}
        </p>
        {mode === "tags" ? <TagEditor flow={flow} onDone={() => setMode("view")} /> : <TagChips tags={flow.tags} onPick={onPickTag} />}
        {error && (
          <p role="alert" className="mt-1 text-sm text-red-600">
            {error}
          </p>
        )}
      </div>
      {mode === "view" && (
        // Packed tighter on a phone, so the actions take as few lines as they can under the name.
        <div className="flex flex-wrap text-sm max-sm:[&>button]:px-1.5 sm:gap-1">
          <button
            type="button"
            aria-label={`Export ${flow.name}`}
            title="Download this flow's draft as a flow file"
            disabled={exporter.pending}
            onClick={() => void exporter.exportFlow({ flowId: flow.id })}
            className="rounded-md px-2 py-1 hover:bg-slate-100 disabled:opacity-60 dark:hover:bg-slate-800"
          >
            Export
          </button>
          {canEditDashboards(workspace) && (
            <button
              type="button"
              aria-label={`Create dashboard from ${flow.name}`}
              title="A dashboard of widgets proposed from what this flow's latest runs sent out"
              onClick={() => setGenerating(true)}
              className="rounded-md px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800"
            >
              Dashboard
            </button>
          )}
          {editable && (
            <>
          <button type="button" aria-label={`Edit tags of ${flow.name}`} onClick={() => setMode("tags")} className="rounded-md px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800">
            Tags
          </button>
          <button
            type="button"
            aria-label={`Duplicate ${flow.name}`}
            title="A new, inactive flow with this flow's draft; its webhook paths change so they do not clash"
            disabled={duplicate.isPending}
            onClick={() => duplicate.mutate({ workspaceId: workspace.id, flowId: flow.id })}
            className="rounded-md px-2 py-1 hover:bg-slate-100 disabled:opacity-60 dark:hover:bg-slate-800"
          >
            Duplicate
          </button>
          <button
            type="button"
            aria-label={`Rename ${flow.name}`}
            onClick={() => {
              setName(flow.name);
              setMode("rename");
            }}
            className="rounded-md px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800"
          >
            Rename
          </button>
          <button
            type="button"
            aria-label={`Delete ${flow.name}`}
            onClick={() => setMode("confirm-delete")}
            className="rounded-md px-2 py-1 text-red-600 hover:bg-red-50 dark:hover:bg-red-950"
          >
            Delete
          </button>
            </>
          )}
        </div>
      )}
      {generating && <GenerateDashboardDialog open flowId={flow.id} onClose={() => setGenerating(false)} />}
      {mode === "confirm-delete" && (
        <div className="flex items-center gap-2 text-sm">
          <span>Delete “{flow.name}” and its versions and runs?</span>
          <button
            type="button"
            disabled={remove.isPending}
            onClick={() => remove.mutate({ workspaceId: workspace.id, flowId: flow.id })}
            className="rounded-md bg-red-600 px-2 py-1 text-white hover:bg-red-500"
          >
            Delete flow
          </button>
          <button type="button" onClick={() => setMode("view")} className="rounded-md px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800">
            Cancel
          </button>
        </div>
      )}
    </li>
  );
}
