"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { DeleteUserDialog } from "./delete-user-dialog";
import { badgeClass as badge, formatDate, Pager, SearchForm, secondaryClass } from "./list-controls";

const PAGE_SIZE = 25;

export function UserList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [deleting, setDeleting] = useState<{ id: string; email: string } | null>(null);
  const me = useQuery(trpc.user.me.queryOptions());
  const users = useQuery({ ...trpc.admin.users.queryOptions({ search, page, pageSize: PAGE_SIZE }), placeholderData: keepPreviousData });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.queryKey() });
  const setDisabled = useMutation(trpc.admin.setDisabled.mutationOptions({ onSuccess: refresh }));
  const setAdmin = useMutation(trpc.admin.setAdmin.mutationOptions({ onSuccess: refresh }));
  const error = setDisabled.error ?? setAdmin.error ?? users.error;
  const busy = !hydrated || setDisabled.isPending || setAdmin.isPending;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Users</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Everyone who has signed in to this instance. A disabled user cannot sign in and is signed out at their next
          request; administrators manage users and see every workspace.
        </p>
      </div>
      <SearchForm
        label="Find users"
        placeholder="email or name"
        onSearch={(text) => {
          setSearch(text);
          setPage(1);
        }}
      />
      {error && <ErrorAlert>{error.message}</ErrorAlert>}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm max-md:block">
          <caption className="sr-only">Users, newest first</caption>
          <thead className="max-md:hidden bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50">
            <tr>
              <th className="px-4 py-2 font-medium">User</th>
              <th className="px-4 py-2 font-medium">Created</th>
              <th className="px-4 py-2 font-medium">Last sign-in</th>
              <th className="px-4 py-2 font-medium">Workspaces</th>
              <th className="px-4 py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 max-md:block dark:divide-slate-800">
            {users.data?.users.map((user) => {
              const self = user.id === me.data?.id;
              return (
                <tr key={user.id} className="align-top max-md:block max-md:py-2">
                  <th scope="row" className="min-w-56 px-4 py-2 text-left font-normal max-md:block max-md:py-1">
                    <div className="font-medium">
                      {user.name ?? "—"} {self && <span className="text-xs font-normal text-slate-500">(you)</span>}
                    </div>
                    <div className="text-slate-600 [overflow-wrap:anywhere] dark:text-slate-400">{user.email}</div>
                    <div className="mt-1 flex gap-1">
                      {user.instanceAdmin && <span className={`${badge} bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200`}>Admin</span>}
                      {user.disabled && <span className={`${badge} bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200`}>Disabled</span>}
                    </div>
                  </th>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600 max-md:block max-md:py-0.5 dark:text-slate-400">
                    <span className="md:hidden">Created </span>
                    {formatDate(user.createdAt)}
                  </td>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600 max-md:block max-md:py-0.5 dark:text-slate-400">
                    <span className="md:hidden">Last sign-in </span>
                    {formatDate(user.lastSignInAt)}
                  </td>
                  <td className="px-4 py-2 max-md:block max-md:py-1">
                    <ul className="space-y-0.5">
                      {user.workspaces.map((w) => (
                        <li key={w.id}>
                          <Link prefetch={false} href={`/admin/workspaces/${w.id}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
                            {w.name}
                          </Link>{" "}
                          <span className="text-xs text-slate-500">{w.role}</span>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="px-4 py-2 max-md:block max-md:py-1">
                    {!self && (
                      <div className="flex flex-wrap justify-end gap-1 max-md:justify-start">
                        <button
                          type="button"
                          disabled={busy}
                          aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}
                          onClick={() => setDisabled.mutate({ userId: user.id, disabled: !user.disabled })}
                          className={secondaryClass}
                        >
                          {user.disabled ? "Enable" : "Disable"}
                        </button>
                        {!user.disabled && (
                          <button
                            type="button"
                            disabled={busy}
                            aria-label={user.instanceAdmin ? `Remove ${user.email} as administrator` : `Make ${user.email} an administrator`}
                            onClick={() => setAdmin.mutate({ userId: user.id, admin: !user.instanceAdmin })}
                            className={secondaryClass}
                          >
                            {user.instanceAdmin ? "Remove admin" : "Make admin"}
                          </button>
                        )}
                        <button
                          type="button"
                          disabled={busy}
                          aria-label={`Delete ${user.email}`}
                          onClick={() => setDeleting({ id: user.id, email: user.email })}
                          className="whitespace-nowrap rounded-lg px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50 dark:text-red-300 dark:hover:bg-red-950"
                        >
                          Delete…
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
            {users.isSuccess && users.data.users.length === 0 && (
              <tr className="max-md:block">
                <td colSpan={5} className="px-4 py-6 text-center text-slate-500 max-md:block">
                  No user matches {search ? `“${search}”` : "yet"}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {users.data && <Pager page={page} pageSize={PAGE_SIZE} total={users.data.total} noun="user" onPage={setPage} />}
      {deleting && (
        <DeleteUserDialog
          user={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={async () => {
            setDeleting(null);
            await refresh();
          }}
        />
      )}
    </div>
  );
}
