"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { FlowDocument, FlowDocumentIssue } from "@/server/flow-document";
import { canEdit, useWorkspace } from "../../workspace-context";
import { ErrorAlert } from "@/app/_components/error-alert";

export function FlowPage({ flowId }: { flowId: string }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const ref = { workspaceId: workspace.id, flowId };
  const flow = useQuery(trpc.flow.get.queryOptions(ref));
  const versions = useQuery(trpc.flow.versions.queryOptions(ref));

  if (flow.error) {
    return (
      <div className="space-y-4">
        <ErrorAlert>{flow.error.data?.code === "NOT_FOUND" ? "This flow does not exist or you cannot see it." : flow.error.message}</ErrorAlert>
        <Link href={`/w/${workspace.slug}`} className="text-indigo-600 hover:underline">
          All flows
        </Link>
      </div>
    );
  }
  if (!flow.data) return <p className="text-sm text-slate-500">Loading flow…</p>;

  return (
    <div className="space-y-6">
      <div>
        <Link href={`/w/${workspace.slug}`} className="text-sm text-indigo-600 hover:underline">
          All flows
        </Link>
        <h1 className="mt-1 text-2xl font-semibold">{flow.data.name}</h1>
        <p className="text-sm text-slate-500">
          {flow.data.active ? "Active" : "Inactive"} · {flow.data.latestVersion ? `version ${flow.data.latestVersion.number}` : "no saved version yet"}
        </p>
      </div>
      <div className="grid gap-6 lg:grid-cols-[1fr_18rem]">
        {/* Keyed by the stored draft, so the text starts over from what was saved. */}
        <DocumentForm key={flow.data.updatedAt.toISOString()} flowId={flowId} draft={flow.data.draft} editable={canEdit(workspace)} />
        <aside>
          <h2 className="mb-2 text-sm font-semibold">Versions</h2>
          {versions.data?.length === 0 && <p className="text-sm text-slate-500">Saving creates version 1.</p>}
          <ol className="space-y-2">
            {versions.data?.map((v) => (
              <li key={v.id} className="rounded-lg border border-slate-200 bg-white p-2 text-sm dark:border-slate-800 dark:bg-slate-900">
                <span className="font-medium">v{v.number}</span> {v.message || <span className="text-slate-500">no message</span>}
                <div className="text-xs text-slate-500">{v.createdAt.toLocaleString()}</div>
              </li>
            ))}
          </ol>
        </aside>
      </div>
    </div>
  );
}

/** Until the canvas editor lands, the flow document is edited as JSON; every save is validated on the server. */
function DocumentForm({ flowId, draft, editable }: { flowId: string; draft: FlowDocument; editable: boolean }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ref = { workspaceId: workspace.id, flowId };
  const [text, setText] = useState(() => JSON.stringify(draft, null, 2));
  const [message, setMessage] = useState("");
  const [parseError, setParseError] = useState<string | null>(null);
  const save = useMutation(trpc.flow.saveVersion.mutationOptions());

  function submit(event: FormEvent) {
    event.preventDefault();
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (err) {
      setParseError(`Not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    setParseError(null);
    save.mutate(
      { ...ref, document, message },
      {
        onSuccess: () =>
          Promise.all([
            queryClient.invalidateQueries({ queryKey: trpc.flow.versions.queryKey(ref) }),
            queryClient.invalidateQueries({ queryKey: trpc.flow.get.queryKey(ref) }),
          ]),
      },
    );
  }

  const issues = (save.error?.data as { details?: { issues?: FlowDocumentIssue[] } } | undefined)?.details?.issues;

  return (
    <form onSubmit={submit} className="space-y-3">
      <label htmlFor="flow-document" className="block text-sm font-medium">
        Flow document
      </label>
      <textarea
        id="flow-document"
        value={text}
        onChange={(e) => setText(e.target.value)}
        readOnly={!editable}
        spellCheck={false}
        rows={22}
        className="w-full rounded-lg border border-slate-300 bg-white p-3 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
      />
      {(parseError || save.error) && (
        <ErrorAlert>
          {parseError ?? (issues ? "The flow document is invalid:" : save.error?.message)}
          {issues && (
            <ul className="mt-1 list-disc pl-5 font-mono text-xs">
              {issues.map((issue) => (
                <li key={`${issue.path}:${issue.message}`}>
                  {issue.path}: {issue.message}
                </li>
              ))}
            </ul>
          )}
        </ErrorAlert>
      )}
      {editable && (
        <div className="flex items-end gap-2">
          <div className="flex-1 space-y-1">
            <label htmlFor="version-message" className="block text-sm font-medium">
              Version message
            </label>
            <input
              id="version-message"
              value={message}
              onChange={(e) => setMessage(e.target.value)}
              maxLength={500}
              placeholder="What changed?"
              className="w-full rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950"
            />
          </div>
          <button type="submit" disabled={save.isPending} className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60">
            Save version
          </button>
        </div>
      )}
    </form>
  );
}
