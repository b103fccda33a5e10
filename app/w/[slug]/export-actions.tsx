"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { downloadText } from "./download";
import { ImportDialog } from "./import-dialog";
import { canEdit, useWorkspace } from "./workspace-context";
import { useDismiss } from "@/app/_components/use-dismiss";

/** Asks the server for an export and downloads it; `error` says why the last one failed. */
export function useExport() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(async (fetchFile: () => Promise<{ fileName: string; text: string }>) => {
    setPending(true);
    setError(null);
    try {
      downloadText(await fetchFile());
    } catch (err) {
      setError(`The export failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setPending(false);
    }
  }, []);

  // Always asked afresh (staleTime 0): an export is of the flow as it is now, not as it was at the last export.
  const exportFlow = useCallback(
    ({ flowId, version }: { flowId: string; version?: number }) =>
      run(() => queryClient.fetchQuery({ ...trpc.transfer.exportFlow.queryOptions({ workspaceId: workspace.id, flowId, ...(version === undefined ? {} : { version }) }), staleTime: 0 })),
    [run, queryClient, trpc, workspace.id],
  );
  const exportWorkspace = useCallback(
    (includeVersions: boolean) => run(() => queryClient.fetchQuery({ ...trpc.transfer.exportWorkspace.queryOptions({ workspaceId: workspace.id, includeVersions }), staleTime: 0 })),
    [run, queryClient, trpc, workspace.id],
  );
  return { exportFlow, exportWorkspace, pending, error };
}

const WORKSPACE_EXPORTS = [
  { includeVersions: false, label: "Flows", what: "each flow's draft and live version" },
  { includeVersions: true, label: "Flows with every version", what: "the whole history of each flow" },
] as const;

/** "Export workspace ▾" and its two kinds of bundle, for the flow list's header. */
export function ExportWorkspaceMenu() {
  const hydrated = useHydrated();
  const { exportWorkspace, pending, error } = useExport();
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);

  useDismiss({ open, close: useCallback(() => setOpen(false), []), within: menu });

  return (
    <div ref={menu} className="relative">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={!hydrated || pending}
        onClick={() => setOpen((o) => !o)}
        className="rounded-lg px-3 py-2 font-medium text-slate-700 hover:bg-slate-100 disabled:opacity-60 dark:text-slate-200 dark:hover:bg-slate-800"
      >
        {/* "Export ▾" on a phone, where the header's three buttons share one line. */}
        {pending ? "Exporting…" : (
          <>
            Export<span className="max-sm:sr-only"> workspace</span> ▾
          </>
        )}
      </button>
      {open && (
        <div role="menu" aria-label="Export workspace" className="absolute top-full right-0 z-30 mt-1 w-64 rounded-md border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-900">
          {WORKSPACE_EXPORTS.map((kind, i) => (
            <button
              key={kind.label}
              type="button"
              role="menuitem"
              autoFocus={i === 0}
              onClick={() => {
                setOpen(false);
                void exportWorkspace(kind.includeVersions);
              }}
              className="block w-full px-3 py-1.5 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
            >
              {kind.label}
              <span className="block text-xs text-slate-500 dark:text-slate-400">{kind.what}</span>
            </button>
          ))}
        </div>
      )}
      {error && (
        <p role="alert" className="absolute top-full right-0 z-20 mt-1 w-64 rounded-md bg-red-50 p-2 text-xs text-red-800 dark:bg-red-950 dark:text-red-200">
          {error}
        </p>
      )}
    </div>
  );
}

/** The settings' section: both kinds of bundle as plain buttons, what a bundle holds, and importing one. */
export function TransferSection() {
  const workspace = useWorkspace();
  const hydrated = useHydrated();
  const { exportWorkspace, pending, error } = useExport();
  const [importing, setImporting] = useState(false);
  return (
    <section aria-labelledby="transfer-title" className="space-y-3">
      <h2 id="transfer-title" className="text-lg font-semibold">
        Import and export
      </h2>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        An export is one file with every flow of this workspace and the credentials they use, by name and type only: secrets never leave. Import
        it into another workspace or another Streamware, along with n8n and Node-RED flows.
      </p>
      <div className="flex flex-wrap gap-2">
        {WORKSPACE_EXPORTS.map((kind) => (
          <button
            key={kind.label}
            type="button"
            disabled={!hydrated || pending}
            onClick={() => void exportWorkspace(kind.includeVersions)}
            title={kind.what}
            className="rounded-lg border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            {kind.includeVersions ? "Export with every version" : "Export workspace"}
          </button>
        ))}
        {canEdit(workspace) && (
          <button
            type="button"
            disabled={!hydrated}
            onClick={() => setImporting(true)}
            className="rounded-lg border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            Import…
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      {importing && <ImportDialog start={null} onClose={() => setImporting(false)} />}
    </section>
  );
}
