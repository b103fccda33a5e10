"use client";

import { createContext, useContext, type ReactNode } from "react";
import { optionWords } from "@/nodes/_core/config-messages";
import { checkValue, issuesAt, type FieldSpec, type JsonSchema } from "./schema-form";

// What every field widget of a config form shares: the form's scope (the node, its issues, read-only), ids, and
// how a field's label is spoken.

export interface FormScope {
  workspaceId: string;
  flowId: string;
  nodeId: string;
  runId?: string;
  readOnly: boolean;
  issues: readonly { path: string; message: string }[];
  root: JsonSchema;
  idBase: string;
  /** The whole config, for fields that read a sibling (a schedule's time zone). */
  config: Record<string, unknown>;
}

const FormContext = createContext<FormScope | null>(null);

export function FormScopeProvider({ scope, children }: { scope: FormScope; children: ReactNode }) {
  return <FormContext.Provider value={scope}>{children}</FormContext.Provider>;
}

export function useScope(): FormScope {
  const scope = useContext(FormContext);
  if (!scope) throw new Error("SchemaField is used outside a config form");
  return scope;
}

export function fieldId(scope: FormScope, path: string): string {
  return `${scope.idBase}-${path.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}

/** Enum values read as words when they are identifiers ("respondNode"), as written otherwise ("GET"). */
export function optionLabel(option: string): string {
  return optionWords(option);
}

export function singular(label: string): string {
  return label.endsWith("s") && !label.endsWith("ss") ? label.slice(0, -1) : label;
}

/**
 * The field's problems: the server's words for them once it has checked the value, else the form's own instant
 * check, so one problem is never said twice in two ways ("Weight must be at least 0" beside "A weight cannot be
 * negative"). The server looks again a moment after each change.
 */
export function problemsOf(scope: FormScope, spec: FieldSpec, value: unknown, { within = false } = {}): string[] {
  const remote = issuesAt(scope.issues, spec.path, { within });
  if (remote.length) return [...new Set(remote)];
  const local = checkValue(spec, value);
  return local ? [local] : [];
}

export interface LabelDecor {
  /** Unshown words before the label that tell repeated fields apart ("Rule 2"). */
  prefix?: string;
  hideLabel?: boolean;
}

export type FieldProps = { id: string; spec: FieldSpec; value: unknown; onChange(value: unknown): void; decor: LabelDecor };

export const spoken = (decor: LabelDecor, label: string) => (decor.prefix ? `${decor.prefix} ${label}` : label);


/** A list field's legend (its label, starred when required) and description, as every list field heads its fieldset. */
export function ListLegend({ id, spec }: { id: string; spec: FieldSpec }) {
  return (
    <>
      <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">
        {spec.label}
        {spec.required && (
          <span className="text-red-600 dark:text-red-400" aria-hidden>
            *
          </span>
        )}
      </legend>
      {spec.description && (
        <p id={`${id}-desc`} className="text-xs text-slate-500 dark:text-slate-400">
          {spec.description}
        </p>
      )}
    </>
  );
}
