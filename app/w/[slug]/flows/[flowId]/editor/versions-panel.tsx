"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import { VersionCompareDialog } from "./version-compare-dialog";

/**
 * Save a version with a message; the list of versions with the live one (the one triggers run) marked, each one
 * restorable into the draft (one undoable step), comparable with another or the draft, and activatable: a newer
 * one to put it live, an earlier one to roll back.
 */
const versionAction = "rounded px-1.5 py-0.5 text-xs text-indigo-700 hover:bg-indigo-50 disabled:opacity-60 dark:text-indigo-300 dark:hover:bg-indigo-950";

export function VersionsPanel({
  workspaceId,
  flowId,
  liveNumber,
  draft,
  readOnly,
  onSave,
  onRestore,
  onActivate,
}: {
  workspaceId: string;
  flowId: string;
  /** The live version's number; null while the flow is inactive. */
  liveNumber: number | null;
  /** The editor's draft, to compare versions with. */
  draft: FlowDocument;
  readOnly: boolean;
  onSave(message: string): Promise<void>;
  onRestore(document: FlowDocument, number: number): void;
  onActivate(number: number): Promise<void>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ref = { workspaceId, flowId };
  const versions = useQuery(trpc.flow.versions.queryOptions(ref));
  const [message, setMessage] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [comparing, setComparing] = useState<number | null>(null);
  const [activating, setActivating] = useState<number | null>(null);
  const restore = useMutation({
    mutationFn: (number: number) => queryClient.fetchQuery(trpc.flow.version.queryOptions({ ...ref, number })),
    onSuccess: (version) => onRestore(version.document, version.number),
  });

  async function save() {
    setSaving(true);
    setError(null);
    try {
      await onSave(message);
      setMessage("");
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="flex h-full flex-col">
      {!readOnly && (
        <form
          className="space-y-2 border-b border-slate-200 p-3 dark:border-slate-800"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label htmlFor="version-message" className="block text-sm font-medium">
            Version message
          </label>
          <input
            id="version-message"
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            maxLength={500}
            placeholder="What changed?"
            className="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
          />
          <button type="submit" disabled={saving} className="w-full rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60">
            {saving ? "Saving…" : "Save version"}
          </button>
          {error && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {error}
            </p>
          )}
        </form>
      )}
      <div className="flex-1 overflow-y-auto p-3">
        {versions.error && <p role="alert" className="text-sm text-red-700 dark:text-red-300">{versions.error.message}</p>}
        {versions.data?.length === 0 && <p className="text-sm text-slate-500 dark:text-slate-400">No saved version yet. Saving creates version 1.</p>}
        {versions.data && versions.data.length > 0 && (
          <p className="mb-2 text-xs text-slate-600 dark:text-slate-400">
            {liveNumber === null
              ? "The flow is inactive: no version is live. Activating a version turns the flow on with it."
              : "Triggers run the live version. Saving a version does not change it; activate the one you want live."}
          </p>
        )}
        <ol className="space-y-2" aria-label="Versions">
          {versions.data?.map((v) => {
            const live = v.number === liveNumber;
            return (
              <li
                key={v.id}
                aria-current={live ? "true" : undefined}
                className={`rounded-md border p-2 text-sm ${live ? "border-emerald-500 dark:border-emerald-700" : "border-slate-200 dark:border-slate-800"}`}
              >
                <div className="flex items-center gap-2">
                  <span className="font-medium">v{v.number}</span>
                  {live && (
                    <span title="Triggers run this version" className="rounded bg-emerald-100 px-1.5 text-xs font-medium text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
                      Live
                    </span>
                  )}
                  <span className="ml-auto text-xs text-slate-500 dark:text-slate-400">{v.createdAt.toLocaleString()}</span>
                </div>
                <p className="mt-0.5 break-words">{v.message || <span className="text-slate-500 dark:text-slate-400">No message</span>}</p>
                <div className="mt-1 flex flex-wrap gap-1">
                  {!readOnly && !live && (
                    <button
                      type="button"
                      disabled={activating !== null}
                      title={liveNumber !== null && v.number < liveNumber ? `Roll back: triggers run v${v.number} instead of v${liveNumber}` : `Triggers run v${v.number}`}
                      onClick={async () => {
                        setActivating(v.number);
                        try {
                          await onActivate(v.number);
                        } finally {
                          setActivating(null);
                        }
                      }}
                      className={versionAction}
                    >
                      {activating === v.number ? "Activating…" : `Activate v${v.number}`}
                    </button>
                  )}
                  <button type="button" onClick={() => setComparing(v.number)} className={versionAction}>
                    Compare v{v.number} with…
                  </button>
                  {!readOnly && (
                    <button
                      type="button"
                      onClick={() => restore.mutate(v.number)}
                      disabled={restore.isPending}
                      aria-label={`Restore version ${v.number}`}
                      className={versionAction}
                    >
                      Restore into the draft
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
        {restore.error && <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">{restore.error.message}</p>}
      </div>
      {comparing !== null && versions.data && (
        <VersionCompareDialog workspaceId={workspaceId} flowId={flowId} draft={draft} versions={versions.data} from={comparing} onClose={() => setComparing(null)} />
      )}
    </div>
  );
}
