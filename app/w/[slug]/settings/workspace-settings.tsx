"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { can } from "@/server/services/workspace-roles";
import { useWorkspace } from "../workspace-context";
import { TransferSection } from "../export-actions";
import { BrandingSettings } from "./branding-settings";
import { DeleteWorkspace } from "./delete-workspace";

const input = "rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950";
const primary = "rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60";

/** The workspace's name, importing and exporting its flows and, for its owners, deleting it; members and invitations have their own tab. */
export function WorkspaceSettings() {
  const workspace = useWorkspace();
  return (
    <div className="max-w-3xl space-y-10">
      <h1 className="text-2xl font-semibold">General</h1>
      {can({ role: workspace.role, permission: "workspace.manage" }) ? (
        <RenameWorkspace />
      ) : (
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-slate-600 dark:text-slate-400">Name</dt>
          <dd>{workspace.name}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Address</dt>
          <dd className="font-mono">/w/{workspace.slug}</dd>
        </dl>
      )}
      {can({ role: workspace.role, permission: "workspace.manage" }) && <BrandingSettings />}
      <TransferSection />
      {!workspace.personal && can({ role: workspace.role, permission: "workspace.delete" }) && <DeleteWorkspace />}
    </div>
  );
}

function RenameWorkspace() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const [name, setName] = useState(workspace.name);
  const rename = useMutation(trpc.workspace.rename.mutationOptions({ onSuccess: () => router.refresh() }));

  function submit(event: FormEvent) {
    event.preventDefault();
    rename.mutate({ workspaceId: workspace.id, name });
  }

  return (
    <section aria-labelledby="general-title" className="space-y-3">
      <h2 id="general-title" className="sr-only">
        Name
      </h2>
      <form onSubmit={submit} className="flex items-end gap-2">
        <div className="flex-1 space-y-1">
          <label htmlFor="workspace-name" className="block text-sm font-medium">
            Name
          </label>
          <input id="workspace-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} className={`w-full ${input}`} />
        </div>
        <button type="submit" disabled={!hydrated || rename.isPending} className={primary}>
          Save name
        </button>
      </form>
      {rename.error && <p role="alert" className="text-sm text-red-600">{rename.error.message}</p>}
      {rename.isSuccess && <p className="text-sm text-emerald-600">Saved.</p>}
    </section>
  );
}
