"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { parseTagList } from "@/nodes/_core/flow-tags";
import { useWorkspace } from "./workspace-context";

/** A flow's tags as chips; a click on one filters the list by it. */
export function TagChips({ tags, onPick }: { tags: string[]; onPick?: (tag: string) => void }) {
  if (tags.length === 0) return null;
  return (
    <ul aria-label="Tags" className="mt-1 flex flex-wrap gap-1">
      {tags.map((tag) => (
        <li key={tag}>
          {onPick ? (
            <button type="button" onClick={() => onPick(tag)} title={`Show the flows tagged “${tag}”`} className={chip}>
              {tag}
            </button>
          ) : (
            <span className={chip}>{tag}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

const chip = "inline-block rounded-full bg-indigo-50 px-2 py-0.5 text-xs text-indigo-800 hover:bg-indigo-100 dark:bg-indigo-950 dark:text-indigo-200 dark:hover:bg-indigo-900";

/**
 * Tags typed with commas between them ("billing, nightly"). What cannot be stored is named under the field before
 * anything is sent, and what was typed stays.
 */
export function TagEditor({ flow, onDone }: { flow: { id: string; name: string; tags: string[] }; onDone: () => void }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState(flow.tags.join(", "));
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation(
    trpc.flow.setTags.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.flow.list.queryKey() });
        onDone();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseTagList(text);
    if (!parsed.ok) return setProblem(parsed.message);
    setProblem(null);
    save.mutate({ workspaceId: workspace.id, flowId: flow.id, tags: parsed.tags });
  }

  const error = problem ?? save.error?.message ?? null;
  const errorId = `tags-error-${flow.id}`;
  return (
    <form onSubmit={submit} className="mt-2 space-y-1">
      <div className="flex flex-wrap items-center gap-2">
        <input
          aria-label={`Tags of ${flow.name}`}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") onDone();
          }}
          placeholder="billing, nightly"
          autoFocus
          className="w-full max-w-sm min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
        />
        <button type="submit" disabled={save.isPending} className="rounded-md bg-indigo-600 px-3 py-1 text-sm text-white hover:bg-indigo-500 disabled:opacity-60">
          Save tags
        </button>
        <button type="button" onClick={onDone} className="rounded-md px-2 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
          Cancel
        </button>
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">Separate tags with commas.</p>
      {error && (
        <p id={errorId} role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}
