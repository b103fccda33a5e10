"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { FlowDocument } from "@/nodes/_core/flow-document";

/**
 * Save a version with a message; the list of versions, each restorable into the draft (one undoable step), with the
 * one triggers run marked active.
 */
export function VersionsPanel({
  workspaceId,
  flowId,
  activeNumber,
  readOnly,
  onSave,
  onRestore,
}: {
  workspaceId: string;
  flowId: string;
  /** The active version's number; null while the flow is inactive. */
  activeNumber: number | null;
  readOnly: boolean;
  onSave(message: string): Promise<void>;
  onRestore(document: FlowDocument, number: number): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ref = { workspaceId, flowId };
  const versions = useQuery(trpc.flow.versions.queryOptions(ref));
  const [message, setMessage] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
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
        <ol className="space-y-2" aria-label="Versions">
          {versions.data?.map((v) => (
            <li
              key={v.id}
              aria-current={v.number === activeNumber ? "true" : undefined}
              className={`rounded-md border p-2 text-sm ${v.number === activeNumber ? "border-emerald-500 dark:border-emerald-700" : "border-slate-200 dark:border-slate-800"}`}
            >
              <div className="flex items-center gap-2">
                <span className="font-medium">v{v.number}</span>
                {v.number === activeNumber && (
                  <span title="Triggers run this version" className="rounded bg-emerald-100 px-1.5 text-xs font-medium text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
                    Active
                  </span>
                )}
                <span className="ml-auto text-xs text-slate-500 dark:text-slate-400">{v.createdAt.toLocaleString()}</span>
              </div>
              <p className="mt-0.5 break-words">{v.message || <span className="text-slate-500 dark:text-slate-400">No message</span>}</p>
              {!readOnly && (
                <button
                  type="button"
                  onClick={() => restore.mutate(v.number)}
                  disabled={restore.isPending}
                  aria-label={`Restore version ${v.number}`}
                  className="mt-1 rounded px-1.5 py-0.5 text-xs text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-950"
                >
                  Restore into the draft
                </button>
              )}
            </li>
          ))}
        </ol>
        {restore.error && <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">{restore.error.message}</p>}
      </div>
    </div>
  );
}
