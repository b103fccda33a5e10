"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import type { WorkspaceSummary } from "@/server/services/workspace-roles";

export function WorkspaceSwitcher({ current, workspaces }: { current: WorkspaceSummary; workspaces: WorkspaceSummary[] }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const root = useRef<HTMLDivElement>(null);
  const router = useRouter();
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const create = useMutation(
    trpc.workspace.create.mutationOptions({
      onSuccess: (workspace) => {
        setOpen(false);
        setName("");
        router.push(`/w/${workspace.slug}`);
        router.refresh();
      },
    }),
  );

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    const onClick = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name });
  }

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        aria-label={`Workspace: ${current.name}`}
        aria-haspopup="true"
        aria-expanded={open}
        disabled={!hydrated}
        onClick={() => setOpen((v) => !v)}
        className="flex items-center gap-2 rounded-md border border-slate-200 px-3 py-1.5 text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        {/* Beside the sections on a laptop's width the name gives way, so that every section stays in sight. */}
        <span title={current.name} className="max-w-56 truncate md:max-w-32 2xl:max-w-56">
          {current.name}
        </span>
        <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">{current.role}</span>
        <span aria-hidden>▾</span>
      </button>
      {open && (
        <div className="absolute left-0 z-20 mt-2 w-72 rounded-lg border border-slate-200 bg-white p-2 shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <p className="px-2 pb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Your workspaces</p>
          <ul>
            {workspaces.map((w) => (
              <li key={w.id}>
                <Link
                  href={`/w/${w.slug}`}
                  onClick={() => setOpen(false)}
                  aria-current={w.id === current.id ? "page" : undefined}
                  className="flex items-center justify-between rounded-md px-2 py-1.5 text-sm hover:bg-slate-100 aria-[current=page]:font-semibold dark:hover:bg-slate-800"
                >
                  <span className="truncate">{w.name}</span>
                  <span className="text-xs text-slate-500">{w.role}</span>
                </Link>
              </li>
            ))}
          </ul>
          <form onSubmit={submit} className="mt-2 space-y-2 border-t border-slate-200 px-2 pt-2 dark:border-slate-700">
            <label htmlFor="new-workspace" className="block text-xs font-medium text-slate-600 dark:text-slate-400">
              Workspace name
            </label>
            <div className="flex gap-2">
              <input
                id="new-workspace"
                value={name}
                onChange={(e) => setName(e.target.value)}
                required
                maxLength={80}
                className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
              />
              <button type="submit" disabled={create.isPending} className="rounded-md bg-indigo-600 px-2 py-1 text-sm text-white hover:bg-indigo-500 disabled:opacity-60">
                Create workspace
              </button>
            </div>
            {create.error && <p role="alert" className="text-xs text-red-600">{create.error.message}</p>}
          </form>
        </div>
      )}
    </div>
  );
}
