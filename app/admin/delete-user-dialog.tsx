"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { inputClass, secondaryClass } from "./list-controls";

type Choice = { kind: "handOver"; memberId: string } | { kind: "delete"; typed: string };

/**
 * Deleting a user: each workspace they alone own is handed over to one of its members or deleted by typing its
 * name, and the user's email is typed to confirm. The server checks the same again before anything changes.
 */
export function DeleteUserDialog({ user, onClose, onDeleted }: { user: { id: string; email: string }; onClose: () => void; onDeleted: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const dialog = useRef<HTMLDialogElement>(null);
  const plan = useQuery(trpc.admin.deletionPlan.queryOptions({ userId: user.id }, { staleTime: 0 }));
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [typedEmail, setTypedEmail] = useState("");
  const remove = useMutation(
    trpc.admin.deleteUser.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.admin.workspaces.queryKey() });
        onDeleted();
      },
    }),
  );

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const workspaces = plan.data?.workspaces ?? [];
  const choiceOf = (id: string, hasMembers: boolean): Choice => choices[id] ?? (hasMembers ? { kind: "handOver", memberId: "" } : { kind: "delete", typed: "" });
  const decided = workspaces.every((w) => {
    const choice = choiceOf(w.id, w.members.length > 0);
    return choice.kind === "handOver" ? choice.memberId !== "" : choice.typed === w.name;
  });
  const ready = plan.isSuccess && decided && typedEmail.trim().toLowerCase() === user.email;

  function submit(event: FormEvent) {
    event.preventDefault();
    remove.mutate({
      userId: user.id,
      confirmEmail: typedEmail,
      decisions: workspaces.map((w) => {
        const choice = choiceOf(w.id, w.members.length > 0);
        return choice.kind === "handOver" ? { workspaceId: w.id, handOverTo: choice.memberId } : { workspaceId: w.id, deleteConfirmName: choice.typed };
      }),
    });
  }

  return (
    <dialog
      ref={dialog}
      aria-labelledby="delete-user-title"
      onClose={onClose}
      className="m-auto w-[min(40rem,calc(100vw-2rem))] rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <form onSubmit={submit} className="max-h-[85vh] space-y-5 overflow-y-auto p-5">
        <div>
          <h2 id="delete-user-title" className="text-lg font-semibold text-red-700 dark:text-red-300">
            Delete {user.email}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            They lose every membership and cannot sign in with this account again (signing in later makes a new, empty
            account). This cannot be undone.
          </p>
        </div>
        {plan.error && <ErrorAlert>{plan.error.message}</ErrorAlert>}
        {plan.isPending && <p className="text-sm text-slate-500">Finding the workspaces they own…</p>}
        {plan.isSuccess && workspaces.length === 0 && <p className="text-sm">They are not the only owner of any workspace.</p>}
        {workspaces.map((w) => {
          const choice = choiceOf(w.id, w.members.length > 0);
          const set = (next: Choice) => setChoices({ ...choices, [w.id]: next });
          return (
            <fieldset key={w.id} className="min-w-0 space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-700">
              <legend className="px-1 text-sm font-medium">
                {w.name} {w.personal && <span className="text-xs font-normal text-slate-500">(personal workspace)</span>}
              </legend>
              <p className="text-xs text-slate-600 dark:text-slate-400">They are its only owner.</p>
              <label className="flex flex-wrap items-center gap-2 text-sm">
                <input
                  type="radio"
                  name={`choice-${w.id}`}
                  disabled={w.members.length === 0}
                  checked={choice.kind === "handOver"}
                  onChange={() => set({ kind: "handOver", memberId: "" })}
                />
                Hand it over to
                <select
                  aria-label={`New owner of ${w.name}`}
                  disabled={choice.kind !== "handOver"}
                  value={choice.kind === "handOver" ? choice.memberId : ""}
                  onChange={(e) => set({ kind: "handOver", memberId: e.target.value })}
                  className="min-w-0 max-w-full rounded-md border border-slate-300 bg-white px-2 py-1 disabled:opacity-50 dark:border-slate-700 dark:bg-slate-950"
                >
                  <option value="">{w.members.length ? "choose a member" : "no other members"}</option>
                  {w.members.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.email} ({m.role})
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name={`choice-${w.id}`} checked={choice.kind === "delete"} onChange={() => set({ kind: "delete", typed: "" })} />
                Delete it with its flows, runs and credentials
              </label>
              {choice.kind === "delete" && (
                <div className="space-y-1 pl-6">
                  <label htmlFor={`delete-${w.id}`} className="block text-xs text-slate-600 dark:text-slate-400">
                    Type <strong>{w.name}</strong> to delete it
                  </label>
                  <input id={`delete-${w.id}`} autoComplete="off" value={choice.typed} onChange={(e) => set({ kind: "delete", typed: e.target.value })} className={`w-full ${inputClass}`} />
                </div>
              )}
            </fieldset>
          );
        })}
        <div className="space-y-1">
          <label htmlFor="delete-user-email" className="block text-sm">
            Type <strong>{user.email}</strong> to confirm
          </label>
          <input id="delete-user-email" autoComplete="off" value={typedEmail} onChange={(e) => setTypedEmail(e.target.value)} className={`w-full ${inputClass}`} />
        </div>
        {remove.error && <ErrorAlert>{remove.error.message}</ErrorAlert>}
        <div className="flex flex-wrap justify-end gap-2">
          <button type="button" onClick={() => dialog.current?.close()} className={secondaryClass}>
            Cancel
          </button>
          <button type="submit" disabled={!hydrated || !ready || remove.isPending} className="rounded-lg bg-red-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-red-500 disabled:opacity-50">
            {remove.isPending ? "Deleting…" : "Delete user"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
