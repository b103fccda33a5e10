"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { can, roles } from "@/server/services/workspace-roles";
import { useWorkspace } from "../../workspace-context";
import { Invitations } from "../invitations";

const roleHelp: Record<(typeof roles)[number], string> = {
  owner: "everything, including owners and deleting",
  admin: "members and settings",
  editor: "build, run and save flows",
  operator: "run, activate and watch flows; no editing of flows or credentials",
  viewer: "read only",
};

/** The workspace's members and their roles; admins and owners also invite people here. */
export function Members() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const hydrated = useHydrated();
  const members = useQuery(trpc.workspace.members.queryOptions({ workspaceId: workspace.id }));
  const me = useQuery(trpc.user.me.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspace.members.queryKey() });
  const setRole = useMutation(trpc.workspace.setRole.mutationOptions({ onSuccess: refresh }));
  const transfer = useMutation(
    trpc.workspace.transferOwnership.mutationOptions({
      onSuccess: async () => {
        await refresh();
        router.refresh();
      },
    }),
  );
  const removeMember = useMutation(trpc.workspace.removeMember.mutationOptions());
  const admin = can({ role: workspace.role, permission: "member.manage" });
  const owner = can({ role: workspace.role, permission: "owner.manage" });

  function handOver(member: { id: string; email: string }) {
    if (!window.confirm(`Make ${member.email} the owner of ${workspace.name}? You become an admin.`)) return;
    transfer.mutate({ workspaceId: workspace.id, memberId: member.id });
  }

  function remove(memberId: string) {
    removeMember.mutate(
      { workspaceId: workspace.id, memberId },
      {
        onSuccess: async () => {
          // Leaving a workspace takes you back to one you still belong to.
          if (memberId === me.data?.id) {
            router.push("/");
            router.refresh();
          } else {
            await refresh();
          }
        },
      },
    );
  }

  const error = setRole.error ?? removeMember.error ?? transfer.error;

  return (
    <section aria-labelledby="members-title" className="max-w-3xl space-y-4">
      <div>
        <h1 id="members-title" className="text-2xl font-semibold">
          Members
        </h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Roles: {roles.map((r) => `${r} (${roleHelp[r]})`).join(", ")}.
        </p>
      </div>
      {error && (
        <ErrorAlert>{error.message}</ErrorAlert>
      )}
      <table className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm dark:border-slate-800 dark:bg-slate-900">
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50">
          <tr>
            <th className="px-4 py-2 font-medium">Name</th>
            <th className="px-4 py-2 font-medium">Email</th>
            <th className="px-4 py-2 font-medium">Role</th>
            <th className="px-4 py-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {members.data?.map((member) => {
            const self = member.id === me.data?.id;
            return (
              <tr key={member.id}>
                <td className="px-4 py-2">
                  {member.name ?? "—"} {self && <span className="text-xs text-slate-500">(you)</span>}
                </td>
                <td className="px-4 py-2 text-slate-600 dark:text-slate-400">{member.email}</td>
                <td className="px-4 py-2">
                  {admin && !self ? (
                    <select
                      aria-label={`Role of ${member.email}`}
                      value={member.role}
                      disabled={!hydrated || setRole.isPending}
                      onChange={(e) => setRole.mutate({ workspaceId: workspace.id, memberId: member.id, role: e.target.value as (typeof roles)[number] })}
                      className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950"
                    >
                      {roles.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  ) : (
                    member.role
                  )}
                </td>
                <td className="space-x-1 whitespace-nowrap px-4 py-2 text-right">
                  {owner && !self && member.role !== "owner" && (
                    <button
                      type="button"
                      disabled={!hydrated || transfer.isPending}
                      onClick={() => handOver(member)}
                      aria-label={`Make ${member.email} the owner`}
                      className="rounded-md px-2 py-1 text-slate-700 hover:bg-slate-100 disabled:opacity-60 dark:text-slate-300 dark:hover:bg-slate-800"
                    >
                      Make owner
                    </button>
                  )}
                  {(admin || self) && (
                    <button
                      type="button"
                      disabled={!hydrated || removeMember.isPending}
                      onClick={() => remove(member.id)}
                      aria-label={self ? undefined : `Remove ${member.email}`}
                      className="rounded-md px-2 py-1 text-red-600 hover:bg-red-50 disabled:opacity-60 dark:hover:bg-red-950"
                    >
                      {self ? "Leave workspace" : "Remove"}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {admin && <Invitations />}
    </section>
  );
}
