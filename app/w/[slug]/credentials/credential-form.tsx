"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import type { CredentialSummary, CredentialTypeEntry } from "./credential-types";
import { checkValue, fieldsOf, parseNumber, type FieldSpec, type JsonSchema } from "../flows/[flowId]/editor/config-panel/schema-form";
import { FieldShell, describedBy, inputClass, primaryButton, secondaryButton } from "./form-controls";

type FieldValue = string | number | boolean;

/** Form values as typed: text for inputs (numbers are read on submit), booleans for switches. */
type Draft = Record<string, string | boolean>;

function initialDraft(fields: FieldSpec[]): Draft {
  const draft: Draft = {};
  for (const field of fields) {
    const d = field.schema.default;
    if (field.kind === "switch") draft[field.key] = d === true;
    else draft[field.key] = d === undefined ? "" : String(d);
  }
  return draft;
}

/** A saved credential's non-secret values as the form shows them; secret fields stay empty. */
function savedDraft(credential: CredentialSummary): Draft {
  return Object.fromEntries(Object.entries(credential.values).map(([key, value]) => [key, typeof value === "boolean" ? value : String(value)]));
}

/** The data to send: typed values, and for a saved credential only the fields the person changed. */
function dataOf(fields: FieldSpec[], draft: Draft, { saved, touched }: { saved: boolean; touched: ReadonlySet<string> }) {
  const data: Record<string, FieldValue> = {};
  const errors: Record<string, string[]> = {};
  for (const field of fields) {
    const raw = draft[field.key];
    if (saved && !touched.has(field.key)) continue;
    if (field.kind === "switch") {
      data[field.key] = raw === true;
      continue;
    }
    const text = String(raw ?? "");
    // An edit that leaves a saved field empty keeps what is stored.
    if (saved && text === "") continue;
    if (field.kind === "number") {
      const parsed = parseNumber(text, { integer: field.integer });
      if ("error" in parsed) errors[field.key] = [parsed.error];
      else if (parsed.value !== undefined) data[field.key] = parsed.value;
      else if (field.required) errors[field.key] = [`${field.label} is required`];
      continue;
    }
    const problem = checkValue(field, text);
    if (problem) errors[field.key] = [problem];
    else if (text !== "") data[field.key] = text;
  }
  return { data, errors };
}

/**
 * Creates or edits a credential from its type's fields schema. A saved credential's secret values never come back
 * from the server: those fields read "saved — leave empty to keep"; the others show what is stored. Only the fields
 * typed into are sent. Used by the
 * credentials page and by the node config panel's inline create.
 */
export function CredentialForm({
  workspaceId,
  types,
  credential,
  type: fixedType,
  name: initialName,
  readOnly = false,
  onSaved,
  onCancel,
}: {
  workspaceId: string;
  types: CredentialTypeEntry[];
  /** The saved credential to edit; a new one when left out. */
  credential?: CredentialSummary;
  /** The only type a new credential may have (a node's credential type). */
  type?: string;
  /** A new credential's name to start from (the name an imported flow refers to it by). */
  name?: string;
  readOnly?: boolean;
  onSaved(saved: CredentialSummary): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const formId = useId();
  const [typeName, setTypeName] = useState(credential?.type ?? fixedType ?? types[0]?.type ?? "");
  const entry = types.find((t) => t.type === typeName);
  const fields = entry ? fieldsOf(entry.fieldsSchema as JsonSchema, "data") : [];
  const [name, setName] = useState(credential?.name ?? initialName ?? "");
  const [draft, setDraft] = useState<Draft>(() => (credential ? savedDraft(credential) : initialDraft(fields)));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const saved = credential !== undefined;

  // Not awaited: the saved credential is handed on at once rather than after the list is fetched again.
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.credential.list.queryKey({ workspaceId }) });
  const create = useMutation(trpc.credential.create.mutationOptions({ onSuccess: refresh }));
  const update = useMutation(trpc.credential.update.mutationOptions({ onSuccess: refresh }));
  const test = useMutation(trpc.credential.test.mutationOptions());
  const saving = create.isPending || update.isPending;

  function pickType(next: string) {
    const nextEntry = types.find((t) => t.type === next);
    setTypeName(next);
    setDraft(initialDraft(nextEntry ? fieldsOf(nextEntry.fieldsSchema as JsonSchema, "data") : []));
    setTouched(new Set());
    setErrors({});
    test.reset();
  }

  function setField(key: string, value: string | boolean) {
    setDraft((d) => ({ ...d, [key]: value }));
    setTouched((t) => new Set(t).add(key));
    setErrors(({ [key]: _dropped, ...rest }) => rest);
    test.reset();
  }

  function collect() {
    const result = dataOf(fields, draft, { saved, touched });
    setErrors(result.errors);
    return Object.keys(result.errors).length ? null : result.data;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const data = collect();
    if (!data) return;
    // The promise, not mutate's per-call callback: that one is dropped when the dialog holding this form closes
    // while saving, and a credential created then would not be picked. A failure is shown from the mutation's state.
    const saving = credential
      ? update.mutateAsync({ workspaceId, credentialId: credential.id, name: name !== credential.name ? name : undefined, data: Object.keys(data).length ? data : undefined })
      : create.mutateAsync({ workspaceId, name, type: typeName, data });
    saving.then(onSaved, () => {});
  }

  function runTest() {
    const data = collect();
    if (!data) return;
    if (credential) test.mutate({ workspaceId, credentialId: credential.id, data: Object.keys(data).length ? data : undefined });
    else test.mutate({ workspaceId, type: typeName, data });
  }

  const saveError = create.error ?? update.error;
  const disabled = readOnly || !hydrated;

  return (
    <form onSubmit={submit} className="space-y-4" aria-label={saved ? `Edit credential ${credential.name}` : "New credential"} noValidate>
      {!saved && !fixedType && (
        <FieldShell id={`${formId}-type`} label="Type" description={entry?.description}>
          <select
            id={`${formId}-type`}
            value={typeName}
            onChange={(e) => pickType(e.target.value)}
            disabled={disabled}
            className={inputClass}
            aria-describedby={describedBy(`${formId}-type`, { description: entry?.description })}
          >
            {types.map((t) => (
              <option key={t.type} value={t.type}>
                {t.name}
              </option>
            ))}
          </select>
        </FieldShell>
      )}
      {(saved || fixedType) && entry && (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          <span className="font-medium text-slate-800 dark:text-slate-200">{entry.name}</span> — {entry.description}
        </p>
      )}
      <FieldShell id={`${formId}-name`} label="Name" required>
        <input
          id={`${formId}-name`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={120}
          disabled={disabled}
          autoComplete="off"
          className={inputClass}
        />
      </FieldShell>
      {fields.map((field) => (
        <CredentialField
          key={`${typeName}-${field.key}`}
          id={`${formId}-field-${field.key}`}
          field={field}
          value={draft[field.key]}
          stored={saved && (credential.fields.includes(field.key) || field.secret === true)}
          errors={errors[field.key]}
          disabled={disabled}
          onChange={(v) => setField(field.key, v)}
        />
      ))}
      {saveError && <ErrorAlert>{saveError.message}</ErrorAlert>}
      {test.data && (
        <p
          role="status"
          className={`rounded-md p-2 text-sm ${test.data.ok ? "bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200" : "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-200"}`}
        >
          {test.data.ok ? "Connection works: " : "Test failed: "}
          {test.data.message}
        </p>
      )}
      {test.error && <ErrorAlert>{test.error.message}</ErrorAlert>}
      <div className="flex flex-wrap items-center justify-end gap-2">
        {entry && !entry.testable && <span className="mr-auto text-xs text-slate-500 dark:text-slate-400">This type has no connection test.</span>}
        {entry?.testable && (
          <button type="button" onClick={runTest} disabled={disabled || test.isPending} className={`${secondaryButton} mr-auto`}>
            {test.isPending ? "Testing…" : "Test connection"}
          </button>
        )}
        <button type="button" onClick={onCancel} className={secondaryButton}>
          Cancel
        </button>
        {!readOnly && (
          <button type="submit" disabled={disabled || saving || !entry} className={primaryButton}>
            {saving ? "Saving…" : saved ? "Save changes" : "Create credential"}
          </button>
        )}
      </div>
    </form>
  );
}

function CredentialField({
  id,
  field,
  value,
  stored,
  errors,
  disabled,
  onChange,
}: {
  id: string;
  field: FieldSpec;
  value: string | boolean | undefined;
  /** The credential is saved and holds this field: its value stays on the server. */
  stored: boolean;
  errors?: string[];
  disabled: boolean;
  onChange(value: string | boolean): void;
}) {
  const description = field.description;
  const aria = {
    "aria-describedby": describedBy(id, { description, errors }),
    "aria-invalid": errors?.length ? true : undefined,
    "aria-required": field.required && !stored ? true : undefined,
  };
  if (field.kind === "switch") {
    return (
      <div className="space-y-1">
        <label htmlFor={id} className="flex items-center gap-2 text-sm font-medium">
          <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} disabled={disabled} className="size-4" {...aria} />
          {field.label}
        </label>
        {description && (
          <p id={`${id}-desc`} className="text-xs text-slate-500 dark:text-slate-400">
            {description}
          </p>
        )}
      </div>
    );
  }
  return (
    <FieldShell id={id} label={field.label} required={field.required && !stored} description={description} errors={errors}>
      {field.kind === "select" ? (
        <select id={id} value={String(value ?? "")} onChange={(e) => onChange(e.target.value)} disabled={disabled} className={inputClass} {...aria}>
          {stored && <option value="">(keep saved value)</option>}
          {field.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type={field.secret ? "password" : field.kind === "number" ? "number" : "text"}
          inputMode={field.kind === "number" ? "decimal" : undefined}
          value={String(value ?? "")}
          onChange={(e) => onChange(e.target.value)}
          placeholder={stored ? "saved — leave empty to keep" : field.placeholder}
          autoComplete={field.secret ? "new-password" : "off"}
          spellCheck={false}
          disabled={disabled}
          className={inputClass}
          {...aria}
        />
      )}
    </FieldShell>
  );
}
