"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { useWorkspace } from "../workspace-context";

/** Deleting a shared workspace: the owner types its name, so a slip of the mouse deletes nothing. */
export function DeleteWorkspace() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const [typed, setTyped] = useState("");
  const remove = useMutation(
    trpc.workspace.delete.mutationOptions({
      onSuccess: () => {
        router.push("/");
        router.refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    remove.mutate({ workspaceId: workspace.id, confirmName: typed });
  }

  return (
    <section aria-labelledby="delete-title" className="space-y-3 rounded-xl border border-red-300 p-4 dark:border-red-900">
      <h2 id="delete-title" className="text-lg font-semibold text-red-700 dark:text-red-300">
        Delete this workspace
      </h2>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        Its flows, versions, runs, credentials and invitations go with it, its unfinished runs are cancelled and its webhooks
        stop answering. This cannot be undone. Type <strong>{workspace.name}</strong> to confirm.
      </p>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <div className="min-w-64 flex-1 space-y-1">
          <label htmlFor="delete-confirm" className="block text-sm">
            Workspace name
          </label>
          <input
            id="delete-confirm"
            value={typed}
            autoComplete="off"
            onChange={(e) => setTyped(e.target.value)}
            className="w-full rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950"
          />
        </div>
        <button
          type="submit"
          disabled={!hydrated || typed !== workspace.name || remove.isPending}
          className="rounded-lg bg-red-600 px-4 py-2 font-medium text-white hover:bg-red-500 disabled:opacity-50"
        >
          {remove.isPending ? "Deleting…" : "Delete workspace"}
        </button>
      </form>
      {remove.error && <ErrorAlert>{remove.error.message}</ErrorAlert>}
    </section>
  );
}
