"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { CredentialForm } from "@/app/w/[slug]/credentials/credential-form";
import { FieldShell, Modal, describedBy, inputClass, secondaryButton } from "@/app/w/[slug]/credentials/form-controls";

export interface CredentialRef {
  id?: string;
  name: string;
}

/**
 * Picks one of the node's credentials among the workspace's credentials of the slot's type, or creates one in a
 * dialog (the same form as the credentials page) and picks it. The main slot reads "Credential"; a further slot
 * (`main: false`) is labelled by its credential type's name.
 */
export function CredentialPicker({
  id,
  workspaceId,
  type,
  main = true,
  required,
  value,
  readOnly,
  errors,
  onChange,
}: {
  id: string;
  workspaceId: string;
  type: string;
  main?: boolean;
  required: boolean;
  value: CredentialRef | undefined;
  readOnly: boolean;
  errors: string[];
  onChange(value: CredentialRef | undefined): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const credentials = useQuery(trpc.credential.list.queryOptions({ workspaceId }));
  const types = useQuery(trpc.nodeCatalog.credentialTypes.queryOptions());
  const [creating, setCreating] = useState(false);
  const matching = credentials.data?.filter((c) => c.type === type) ?? [];
  const typeName = types.data?.find((t) => t.type === type)?.name ?? type;
  // A reference by name only (an imported flow) still shows, and is kept until changed.
  const selected = value ? (matching.find((c) => c.id === value.id) ?? matching.find((c) => c.name === value.name)) : undefined;
  const missing = value && !selected && credentials.data ? `No ${typeName} credential named "${value.name}" here; pick or create one.` : null;
  const allErrors = [...errors, ...(missing ? [missing] : []), ...(required && !value ? ["This node needs a credential"] : [])];
  const description = `${typeName} credentials of this workspace.`;
  const label = main ? "Credential" : typeName;

  return (
    <FieldShell id={id} label={label} required={required} description={description} errors={allErrors}>
      <div className="flex gap-2">
        <select
          id={id}
          value={selected?.id ?? (value ? "__missing" : "")}
          disabled={readOnly || credentials.isPending}
          onChange={(e) => {
            const picked = matching.find((c) => c.id === e.target.value);
            onChange(picked ? { id: picked.id, name: picked.name } : undefined);
          }}
          aria-describedby={describedBy(id, { description, errors: allErrors })}
          aria-invalid={allErrors.length ? true : undefined}
          aria-required={required || undefined}
          className={inputClass}
        >
          <option value="">{required ? "Pick a credential…" : "None"}</option>
          {value && !selected && <option value="__missing">{value.name} (not found)</option>}
          {matching.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        {!readOnly && (
          <button
            type="button"
            aria-label={main ? undefined : `New credential for ${typeName}`}
            className={`${secondaryButton} whitespace-nowrap`}
            disabled={!types.data}
            onClick={() => setCreating(true)}
          >
            New credential
          </button>
        )}
      </div>
      <Modal open={creating} onClose={() => setCreating(false)} title={`New ${typeName} credential`}>
        {types.data && (
          <CredentialForm
            workspaceId={workspaceId}
            types={types.data}
            type={type}
            onCancel={() => setCreating(false)}
            onSaved={(saved) => {
              // Known at once, so the picker shows it before the list is fetched again.
              queryClient.setQueryData(trpc.credential.list.queryKey({ workspaceId }), (list) => [...(list ?? []).filter((c) => c.id !== saved.id), saved]);
              setCreating(false);
              onChange({ id: saved.id, name: saved.name });
            }}
          />
        )}
      </Modal>
    </FieldShell>
  );
}
