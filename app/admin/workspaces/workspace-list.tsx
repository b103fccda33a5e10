"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { formatDate, Pager, SearchForm } from "../list-controls";

const PAGE_SIZE = 25;

export function WorkspaceList() {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const workspaces = useQuery({ ...trpc.admin.workspaces.queryOptions({ search, page, pageSize: PAGE_SIZE }), placeholderData: keepPreviousData });

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Workspaces</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">Every workspace on this instance, whoever belongs to it. Open one to see its members and flows.</p>
      </div>
      <SearchForm
        label="Find workspaces"
        placeholder="name or slug"
        onSearch={(text) => {
          setSearch(text);
          setPage(1);
        }}
      />
      {workspaces.error && <ErrorAlert>{workspaces.error.message}</ErrorAlert>}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm">
          <caption className="sr-only">Workspaces, newest first</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50">
            <tr>
              <th className="px-4 py-2 font-medium">Name</th>
              <th className="px-4 py-2 font-medium max-sm:hidden">Slug</th>
              <th className="px-4 py-2 text-right font-medium">Members</th>
              <th className="px-4 py-2 text-right font-medium">Flows</th>
              <th className="px-4 py-2 font-medium">Created</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {workspaces.data?.workspaces.map((w) => (
              <tr key={w.id}>
                <th scope="row" className="px-4 py-2 text-left font-normal">
                  <Link prefetch={false} href={`/admin/workspaces/${w.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                    {w.name}
                  </Link>
                  {w.personal && <span className="ml-1 text-xs text-slate-500">personal</span>}
                </th>
                <td className="px-4 py-2 font-mono text-xs text-slate-600 max-sm:hidden dark:text-slate-400">{w.slug}</td>
                <td className="px-4 py-2 text-right tabular-nums">{w.members}</td>
                <td className="px-4 py-2 text-right tabular-nums">{w.flows}</td>
                <td className="whitespace-nowrap px-4 py-2 text-slate-600 dark:text-slate-400">{formatDate(w.createdAt)}</td>
              </tr>
            ))}
            {workspaces.isSuccess && workspaces.data.workspaces.length === 0 && (
              <tr>
                <td colSpan={5} className="px-4 py-6 text-center text-slate-500">
                  No workspace matches {search ? `“${search}”` : "yet"}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {workspaces.data && <Pager page={page} pageSize={PAGE_SIZE} total={workspaces.data.total} noun="workspace" onPage={setPage} />}
    </div>
  );
}
