"use client";

import type { ReactNode } from "react";
import { FieldErrors, describedBy, ghostButton, inputClass, secondaryButton } from "@/app/w/[slug]/credentials/form-controls";
import { optionLabel, problemsOf, singular, spoken, useScope, type FieldProps, ListLegend } from "./form-scope";
import { fieldsOf, issuesAt, newItem, unionChoices, withKey, type FieldSpec, type JsonSchema } from "./schema-form";

/**
 * A list whose items are one of several kinds (an alert's channels): each item is a kind picked from a list and
 * that kind's own fields, not a JSON box. New items take a kind the list does not have yet.
 */
export function ChoiceListField({ id, spec, value, onChange, decor, renderField }: FieldProps & { renderField(props: { spec: FieldSpec; value: unknown; onChange(value: unknown): void; prefix: string }): ReactNode }) {
  const scope = useScope();
  const list = Array.isArray(value) ? value : [];
  const choices = unionChoices(spec.schema.items!, scope.root)!;
  const noun = singular(spec.label);
  const errors = problemsOf(scope, spec, list);
  const max = spec.schema.maxItems;
  const kindTitle = choices.options[0]?.schema.properties?.[choices.key]?.title ?? `${noun} type`;
  const optionOf = (item: unknown) => choices.options.find((o) => o.value === (item as Record<string, unknown> | null)?.[choices.key]);
  const fresh = (option: { value: string; schema: JsonSchema }) => ({ ...(newItem(option.schema, scope.root) as Record<string, unknown>), [choices.key]: option.value });
  const unused = choices.options.find((o) => !list.some((item) => optionOf(item)?.value === o.value)) ?? choices.options[0]!;

  return (
    <fieldset className="space-y-2" aria-describedby={describedBy(id, { description: spec.description, errors })}>
      <ListLegend id={id} spec={spec} />
      {list.length === 0 && <p className="text-xs text-slate-500 dark:text-slate-400">No {spec.label.toLowerCase()} yet.</p>}
      <ol className="space-y-2">
        {list.map((item, index) => {
          const object = item && typeof item === "object" ? (item as Record<string, unknown>) : {};
          const option = optionOf(item);
          const itemLabel = spoken(decor, `${noun} ${index + 1}`);
          const itemPath = `${spec.path}[${index}]`;
          const kindId = `${id}-${index}-kind`;
          const replace = (next: unknown) => onChange(list.map((old, i) => (i === index ? next : old)));
          const fields = option ? fieldsOf(option.schema, itemPath, scope.root).filter((f) => f.key !== choices.key) : [];
          const kindErrors = issuesAt(scope.issues, `${itemPath}.${choices.key}`);
          return (
            <li key={index} className="rounded-md border border-slate-200 bg-slate-50/60 p-3 dark:border-slate-800 dark:bg-slate-900/40">
              <fieldset className="space-y-2">
                <div className="flex items-center justify-between">
                  <legend className="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{itemLabel}</legend>
                  {!scope.readOnly && (
                    <button type="button" className={`${ghostButton} text-red-600 dark:text-red-400`} onClick={() => onChange(list.filter((_, i) => i !== index))} aria-label={`Remove ${itemLabel}`}>
                      Remove
                    </button>
                  )}
                </div>
                <div className="space-y-1">
                  <label htmlFor={kindId} className="block text-sm font-medium text-slate-800 dark:text-slate-200">
                    <span className="sr-only">{itemLabel} </span>
                    {kindTitle === "Kind" ? `${noun} type` : kindTitle}
                  </label>
                  <select
                    id={kindId}
                    value={option?.value ?? ""}
                    disabled={scope.readOnly}
                    aria-invalid={kindErrors.length ? true : undefined}
                    aria-describedby={kindErrors.length ? `${kindId}-err` : undefined}
                    onChange={(e) => {
                      const next = choices.options.find((o) => o.value === e.target.value);
                      if (next) replace(fresh(next));
                    }}
                    className={inputClass}
                  >
                    {!option && <option value="">Pick one…</option>}
                    {choices.options.map((o) => (
                      <option key={o.value} value={o.value}>
                        {optionLabel(o.value)}
                      </option>
                    ))}
                  </select>
                  <FieldErrors id={`${kindId}-err`} errors={kindErrors} />
                </div>
                {fields.map((child) => renderField({ spec: child, value: object[child.key], onChange: (v) => replace(withKey(object, child.key, v)), prefix: itemLabel }))}
                <FieldErrors id={`${id}-${index}-err`} errors={issuesAt(scope.issues, itemPath)} />
              </fieldset>
            </li>
          );
        })}
      </ol>
      {!scope.readOnly && (
        <button type="button" className={secondaryButton} disabled={max !== undefined && list.length >= max} onClick={() => onChange([...list, fresh(unused)])}>
          Add {noun.toLowerCase()}
        </button>
      )}
      <FieldErrors id={`${id}-err`} errors={errors} />
    </fieldset>
  );
}
