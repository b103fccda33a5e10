"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { formatDate } from "../../list-controls";

const card = "overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900";
const head = "bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50";

/** One workspace as an administrator sees it; its own pages open only to its members. */
export function WorkspaceDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const workspace = useQuery(trpc.admin.workspace.queryOptions({ id }));
  const me = useQuery(trpc.user.me.queryOptions());
  if (workspace.error) return <ErrorAlert>{workspace.error.message}</ErrorAlert>;
  if (!workspace.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const w = workspace.data;
  const member = w.members.some((m) => m.id === me.data?.id);

  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <Link prefetch={false} href="/admin/workspaces" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
          ← All workspaces
        </Link>
        <h1 className="text-2xl font-semibold">{w.name}</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          <span className="font-mono">{w.slug}</span> · {w.personal ? "personal workspace" : "shared workspace"} · created {formatDate(w.createdAt)}
        </p>
        {member ? (
          <Link prefetch={false} href={`/w/${w.slug}`} className="inline-block pt-2 text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Open the workspace →
          </Link>
        ) : (
          <p className="pt-2 text-sm text-slate-600 dark:text-slate-400">You are not a member: its flows, runs and credentials open only to its members. Ask an owner to invite you.</p>
        )}
      </div>

      <section aria-labelledby="members-title" className="space-y-2">
        <h2 id="members-title" className="text-lg font-semibold">
          Members ({w.members.length})
        </h2>
        <div className={card}>
          <table className="w-full text-sm">
            <thead className={head}>
              <tr>
                <th className="px-4 py-2 font-medium">Member</th>
                <th className="px-4 py-2 font-medium">Role</th>
                <th className="px-4 py-2 font-medium">Joined</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
              {w.members.map((m) => (
                <tr key={m.id}>
                  <th scope="row" className="px-4 py-2 text-left font-normal">
                    {m.name ?? "—"} <span className="break-all text-slate-600 dark:text-slate-400">{m.email}</span>
                    {m.disabled && <span className="ml-1 rounded bg-red-100 px-1.5 py-0.5 text-xs font-medium text-red-800 dark:bg-red-950 dark:text-red-200">Disabled</span>}
                  </th>
                  <td className="px-4 py-2">{m.role}</td>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600 dark:text-slate-400">{formatDate(m.joinedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="flows-title" className="space-y-2">
        <h2 id="flows-title" className="text-lg font-semibold">
          Flows ({w.flows.length})
        </h2>
        {w.flows.length === 0 ? (
          <p className="text-sm text-slate-500">No flows yet.</p>
        ) : (
          <div className={card}>
            <table className="w-full text-sm">
              <thead className={head}>
                <tr>
                  <th className="px-4 py-2 font-medium">Flow</th>
                  <th className="px-4 py-2 font-medium">Status</th>
                  <th className="px-4 py-2 font-medium">Last change</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {w.flows.map((f) => (
                  <tr key={f.id}>
                    <th scope="row" className="px-4 py-2 text-left font-normal">{f.name}</th>
                    <td className="px-4 py-2">{f.active ? "active" : "inactive"}</td>
                    <td className="whitespace-nowrap px-4 py-2 text-slate-600 dark:text-slate-400">{formatDate(f.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
