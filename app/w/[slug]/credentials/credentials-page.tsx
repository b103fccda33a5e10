"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import type { CredentialSummary } from "./credential-types";
import { can } from "@/server/services/workspace-roles";
import { useWorkspace } from "../workspace-context";
import { CredentialForm } from "./credential-form";
import { Modal, dangerButton, ghostButton, primaryButton, secondaryButton } from "./form-controls";

const updatedFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

type Dialog = { kind: "create"; type?: string; name?: string } | { kind: "edit"; credential: CredentialSummary } | { kind: "delete"; credential: CredentialSummary } | null;

/** `create`: open the new-credential form for this type and name (an import links here for each missing credential). */
export function CredentialsPage({ create }: { create?: { type: string; name: string } }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const editable = can({ role: workspace.role, permission: "credential.edit" });
  const credentials = useQuery(trpc.credential.list.queryOptions({ workspaceId: workspace.id }));
  const types = useQuery(trpc.nodeCatalog.credentialTypes.queryOptions());
  const [dialog, setDialog] = useState<Dialog>(editable && create ? { kind: "create", ...create } : null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useMutation(
    trpc.credential.delete.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.credential.list.queryKey({ workspaceId: workspace.id }) }),
    }),
  );
  const typeName = (type: string) => types.data?.find((t) => t.type === type)?.name ?? type;
  const close = () => setDialog(null);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Credentials</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Keys, tokens and passwords your nodes use. They are encrypted at rest and never shown again once saved.
          </p>
        </div>
        {editable && (
          <button type="button" disabled={!hydrated || !types.data} onClick={() => setDialog({ kind: "create" })} className={primaryButton}>
            New credential
          </button>
        )}
      </div>
      {!editable && <p className="rounded-md bg-slate-100 p-3 text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-300">You are a viewer here: credentials are read-only.</p>}
      {notice && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          {notice}
        </p>
      )}
      {(credentials.error ?? remove.error) && <ErrorAlert>{(credentials.error ?? remove.error)!.message}</ErrorAlert>}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm">
          <caption className="sr-only">Credentials of {workspace.name}</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50 dark:text-slate-400">
            <tr>
              {["Name", "Type", "Fields", "Updated"].map((heading) => (
                <th key={heading} scope="col" className="px-4 py-2 font-medium">
                  {heading}
                </th>
              ))}
              <th scope="col" className="px-4 py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {credentials.isPending && (
              <tr>
                <td colSpan={5} className="px-4 py-6 text-center text-slate-500">
                  Loading…
                </td>
              </tr>
            )}
            {credentials.data?.length === 0 && (
              <tr>
                <td colSpan={5} className="px-4 py-8 text-center text-slate-500 dark:text-slate-400">
                  No credentials yet.{editable && " Create one here, or from a node that needs it."}
                </td>
              </tr>
            )}
            {credentials.data?.map((credential) => (
              <tr key={credential.id}>
                <th scope="row" className="px-4 py-2 text-left font-medium">
                  {credential.name}
                </th>
                <td className="px-4 py-2 text-slate-700 dark:text-slate-300">
                  {typeName(credential.type)} <span className="font-mono text-xs text-slate-500">{credential.type}</span>
                </td>
                <td className="px-4 py-2 font-mono text-xs text-slate-600 dark:text-slate-400">{credential.fields.join(", ")}</td>
                <td className="px-4 py-2 text-slate-600 dark:text-slate-400">
                  <time dateTime={new Date(credential.updatedAt).toISOString()}>{updatedFormat.format(new Date(credential.updatedAt))}</time>
                </td>
                <td className="whitespace-nowrap px-4 py-2 text-right">
                  {editable && (
                    <>
                      <button type="button" disabled={!hydrated} onClick={() => setDialog({ kind: "edit", credential })} aria-label={`Edit ${credential.name}`} className={ghostButton}>
                        Edit
                      </button>
                      <button
                        type="button"
                        disabled={!hydrated}
                        onClick={() => setDialog({ kind: "delete", credential })}
                        aria-label={`Delete ${credential.name}`}
                        className={`${ghostButton} text-red-600 dark:text-red-400`}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <Modal open={dialog?.kind === "create" || dialog?.kind === "edit"} onClose={close} title={dialog?.kind === "edit" ? `Edit ${dialog.credential.name}` : "New credential"}>
        {types.data && (dialog?.kind === "create" || dialog?.kind === "edit") && (
          <CredentialForm
            key={dialog.kind === "edit" ? dialog.credential.id : "new"}
            workspaceId={workspace.id}
            types={types.data}
            credential={dialog.kind === "edit" ? dialog.credential : undefined}
            type={dialog.kind === "create" && types.data.some((t) => t.type === dialog.type) ? dialog.type : undefined}
            name={dialog.kind === "create" ? dialog.name : undefined}
            onCancel={close}
            onSaved={(saved) => {
              setNotice(dialog.kind === "edit" ? `Saved ${saved.name}.` : `Created ${saved.name}.`);
              close();
            }}
          />
        )}
      </Modal>

      <Modal open={dialog?.kind === "delete"} onClose={close} title="Delete credential?">
        {dialog?.kind === "delete" && (
          <div className="space-y-4">
            <p className="text-sm">
              Delete <strong>{dialog.credential.name}</strong>? Nodes that use it will fail until they are given another credential. This cannot be undone.
            </p>
            <div className="flex justify-end gap-2">
              <button type="button" onClick={close} className={secondaryButton}>
                Cancel
              </button>
              <button
                type="button"
                disabled={remove.isPending}
                className={dangerButton}
                onClick={() =>
                  remove.mutate(
                    { workspaceId: workspace.id, credentialId: dialog.credential.id },
                    {
                      onSuccess: () => {
                        setNotice(`Deleted ${dialog.credential.name}.`);
                        close();
                      },
                    },
                  )
                }
              >
                Delete
              </button>
            </div>
          </div>
        )}
      </Modal>
    </div>
  );
}
