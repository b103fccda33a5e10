"use client";

import { useId, useLayoutEffect, useMemo, useRef, type ReactNode } from "react";
import { FieldErrors, FieldShell, describedBy, inputClass } from "@/app/w/[slug]/credentials/form-controls";
import type { FlowNode } from "@/nodes/_core/flow-document";
import type { CatalogEntry } from "../editor-types";
import { CredentialPicker } from "./credential-picker";
import { NodeWarnings } from "./node-warnings";
import { credentialIssues, credentialSlots, slotsInUse, withCredential } from "./credential-slots";
import { FormScopeProvider, type FormScope } from "./form-scope";
import { SchemaField } from "./schema-field";
import { fieldsOf, issuesAt, normalizePath, parseNumber, resolveRef, withKey, type JsonSchema } from "./schema-form";

type Issue = { path: string; message: string; severity?: "error" | "warning" };

const onErrorOptions: { value: FlowNode["onError"]; label: string }[] = [
  { value: "stop", label: "Stop the run" },
  { value: "continue", label: "Continue with the next nodes" },
  { value: "errorPort", label: "Send the failed items to the error port" },
];

/** Paths of the node's own settings that the panel shows, so other issues are listed on their own. */
const settingPaths = ["name", "disabled", "retry", "retry.maxAttempts", "retry.backoffMs", "timeoutMs", "onError", "credentials"];

/**
 * The selected node's settings, generated from its type's config JSON Schema and UI hints, plus the settings every
 * node has (name, disabled, retry, timeout, on error). Each call of `onChange` is one whole edit of the node.
 */
export function ConfigPanel({
  workspaceId,
  flowId,
  node,
  entry,
  readOnly,
  issues,
  sampleInput,
  onChange,
}: {
  workspaceId: string;
  flowId: string;
  node: FlowNode;
  entry: CatalogEntry;
  readOnly: boolean;
  issues: Issue[];
  sampleInput?: { runId: string; items: unknown[] };
  onChange(next: FlowNode): void;
}) {
  const idBase = useId().replace(/:/g, "");
  const root = entry.configSchema as JsonSchema;
  const fields = useMemo(() => fieldsOf(root, "config"), [root]);
  const config = node.config ?? {};
  const scope: FormScope = { workspaceId, flowId, nodeId: node.id, runId: sampleInput?.runId, readOnly, issues, root, idBase, config };
  const setConfig = (key: string, value: unknown) => onChange({ ...node, config: withKey(config, key, value) });
  const basic = fields.filter((f) => !f.advanced);
  const advanced = fields.filter((f) => f.advanced);

  // Issues no field shows (the config as a whole, or a key the form does not know) are listed at the top.
  const shown = (path: string) => {
    const p = normalizePath(path);
    return settingPaths.includes(p) || p.startsWith("credentials") || fields.some((f) => p === f.path || p.startsWith(`${f.path}.`) || p.startsWith(`${f.path}[`));
  };
  const loose = issues.filter((i) => !shown(i.path) && i.severity !== "warning");
  const warnings = issues.filter((i) => i.severity === "warning");
  const allSlots = credentialSlots(entry);
  const slots = slotsInUse({
    slots: allSlots,
    entry,
    config,
    credentials: node.credentials,
    keyDefault: (list, key) => {
      const items = root.properties?.[list]?.items;
      return items ? resolveRef(items, root).properties?.[key]?.default : undefined;
    },
  });
  // A credential created in the inline dialog arrives after a save; it is set on the node as it is then, not as it
  // was when the dialog was submitted, so edits made meanwhile are kept.
  const latestNode = useRef(node);
  useLayoutEffect(() => {
    latestNode.current = node;
  });

  return (
    <FormScopeProvider scope={scope}>
      {/* Not a <form>: the inline credential dialog holds a form of its own, and forms do not nest. */}
      <div role="group" className="space-y-5 p-3" aria-label={`Settings of ${node.name}`}>
        {entry.description && <p className="text-xs text-slate-600 dark:text-slate-400">{entry.description}</p>}
        {readOnly && <p className="rounded-md bg-slate-100 px-2 py-1 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">Read-only: you can look but not change.</p>}
        {loose.length > 0 && (
          <div role="alert" className="rounded-md bg-red-50 p-2 text-xs text-red-800 dark:bg-red-950 dark:text-red-200">
            <ul className="list-inside list-disc">
              {loose.map((i) => (
                <li key={`${i.path}:${i.message}`}>{i.message}</li>
              ))}
            </ul>
          </div>
        )}
        <NodeWarnings warnings={warnings.map((w) => w.message)} />

        <Section title="Parameters">
          {slots.map((slot) => (
            <CredentialPicker
              key={slot.type}
              id={`${idBase}-credential-${slot.type.replace(/[^a-z0-9-]/gi, "-")}`}
              workspaceId={workspaceId}
              type={slot.type}
              main={slot.main}
              required={slot.required}
              value={node.credentials?.[slot.type]}
              readOnly={readOnly}
              errors={credentialIssues(issues, allSlots, slot)}
              onChange={(ref) => {
                const current = latestNode.current;
                onChange({ ...current, credentials: withCredential(current.credentials, slot.type, ref) });
              }}
            />
          ))}
          {basic.length === 0 && slots.length === 0 && <p className="text-sm text-slate-500 dark:text-slate-400">This node has nothing to set up.</p>}
          {basic.map((f) => (
            <SchemaField key={f.key} spec={f} value={config[f.key]} onChange={(v) => setConfig(f.key, v)} />
          ))}
        </Section>

        {advanced.length > 0 && (
          <details className="group rounded-md border border-slate-200 dark:border-slate-800" open={advanced.some((f) => issuesAt(issues, f.path, { within: true }).length > 0) || undefined}>
            <summary className="cursor-pointer select-none px-3 py-2 text-sm font-medium">Advanced options</summary>
            <div className="space-y-4 border-t border-slate-200 p-3 dark:border-slate-800">
              {advanced.map((f) => (
                <SchemaField key={f.key} spec={f} value={config[f.key]} onChange={(v) => setConfig(f.key, v)} />
              ))}
            </div>
          </details>
        )}

        <NodeSettings idBase={idBase} node={node} readOnly={readOnly} issues={issues} onChange={onChange} />
      </div>
    </FormScopeProvider>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="space-y-4">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{title}</h3>
      {children}
    </section>
  );
}

function NodeSettings({ idBase, node, readOnly, issues, onChange }: { idBase: string; node: FlowNode; readOnly: boolean; issues: Issue[]; onChange(next: FlowNode): void }) {
  const nameErrors = [...(node.name.trim() === "" ? ["A node needs a name"] : []), ...issuesAt(issues, "name")];
  // Problems of the retry settings as a whole; each number's own are shown on it.
  const retryErrors = issuesAt(issues, "retry");
  const timeoutErrors = issuesAt(issues, "timeoutMs");
  const retry = node.retry;
  return (
    <Section title="Node settings">
      <FieldShell id={`${idBase}-node-name`} label="Node name" required errors={nameErrors} description="Expressions refer to this node by its name: $node.Name.">
        <input
          id={`${idBase}-node-name`}
          value={node.name}
          maxLength={120}
          disabled={readOnly}
          onChange={(e) => onChange({ ...node, name: e.target.value })}
          aria-invalid={nameErrors.length ? true : undefined}
          aria-describedby={describedBy(`${idBase}-node-name`, { description: true, errors: nameErrors })}
          aria-required
          className={inputClass}
        />
      </FieldShell>
      <Toggle id={`${idBase}-disabled`} label="Disabled" description="A disabled node passes its input on without running." checked={node.disabled} readOnly={readOnly} onChange={(disabled) => onChange({ ...node, disabled })} />
      <Toggle
        id={`${idBase}-retry`}
        label="Retry on failure"
        description="Failures of the service (not of the config) are tried again, waiting longer each time."
        checked={retry !== undefined}
        readOnly={readOnly}
        onChange={(on) => onChange({ ...node, retry: on ? { maxAttempts: 3, backoffMs: 1000 } : undefined })}
      />
      {retry && (
        <div className="grid grid-cols-2 gap-3 pl-6">
          <IntegerSetting id={`${idBase}-retry-max`} label="Max attempts" min={1} max={10} value={retry.maxAttempts} readOnly={readOnly} errors={issuesAt(issues, "retry.maxAttempts")} onChange={(v) => onChange({ ...node, retry: { ...retry, maxAttempts: v ?? 1 } })} />
          <IntegerSetting id={`${idBase}-retry-backoff`} label="Backoff (ms)" min={0} max={3_600_000} value={retry.backoffMs} readOnly={readOnly} errors={issuesAt(issues, "retry.backoffMs")} onChange={(v) => onChange({ ...node, retry: { ...retry, backoffMs: v ?? 0 } })} />
          <FieldErrors id={`${idBase}-retry-err`} errors={retryErrors} />
        </div>
      )}
      <IntegerSetting
        id={`${idBase}-timeout`}
        label="Node timeout (ms)"
        description="Empty: no limit of its own."
        min={1}
        max={86_400_000}
        value={node.timeoutMs}
        readOnly={readOnly}
        errors={timeoutErrors}
        onChange={(timeoutMs) => onChange({ ...node, timeoutMs })}
      />
      <FieldShell id={`${idBase}-on-error`} label="On error" errors={issuesAt(issues, "onError")}>
        <select id={`${idBase}-on-error`} value={node.onError} disabled={readOnly} onChange={(e) => onChange({ ...node, onError: e.target.value as FlowNode["onError"] })} className={inputClass}>
          {onErrorOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </FieldShell>
    </Section>
  );
}

function Toggle({ id, label, description, checked, readOnly, onChange }: { id: string; label: string; description: string; checked: boolean; readOnly: boolean; onChange(value: boolean): void }) {
  return (
    <div className="space-y-0.5">
      <div className="flex items-center gap-2">
        <input id={id} type="checkbox" role="switch" checked={checked} disabled={readOnly} onChange={(e) => onChange(e.target.checked)} aria-describedby={`${id}-desc`} className="size-4 accent-indigo-600" />
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
      </div>
      <p id={`${id}-desc`} className="pl-6 text-xs text-slate-500 dark:text-slate-400">
        {description}
      </p>
    </div>
  );
}

/** An optional whole number: the node changes when the text is one in range, and says why when it is not. */
function IntegerSetting({
  id,
  label,
  description,
  min,
  max,
  value,
  readOnly,
  errors,
  onChange,
}: {
  id: string;
  label: string;
  description?: string;
  min: number;
  max: number;
  value: number | undefined;
  readOnly: boolean;
  errors: string[];
  onChange(value: number | undefined): void;
}) {
  const parsed = (text: string) => parseNumber(text, { integer: true });
  const outOfRange = value !== undefined && (value < min || value > max) ? [`Between ${min} and ${max}`] : [];
  const all = [...outOfRange, ...errors];
  return (
    <FieldShell id={id} label={label} description={description} errors={all}>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        step={1}
        value={value ?? ""}
        disabled={readOnly}
        onChange={(e) => {
          const result = parsed(e.target.value);
          if ("value" in result) onChange(result.value);
        }}
        aria-invalid={all.length ? true : undefined}
        aria-describedby={describedBy(id, { description, errors: all })}
        className={inputClass}
      />
    </FieldShell>
  );
}
