"use client";

import { FieldErrors, describedBy } from "@/app/w/[slug]/credentials/form-controls";
import { optionLabel, problemsOf, useScope, type FieldProps } from "./form-scope";
import { issuesAt } from "./schema-form";

// Switches and sets of checkboxes: choices made by ticking.

export function SwitchField({ id, spec, value, onChange, decor }: FieldProps) {
  const scope = useScope();
  const errors = issuesAt(scope.issues, spec.path);
  const checked = typeof value === "boolean" ? value : spec.schema.default === true;
  return (
    <div className="space-y-1">
      <div className="flex items-center gap-2">
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
          disabled={scope.readOnly}
          aria-describedby={describedBy(id, { description: spec.description, errors })}
          className="size-4 accent-indigo-600"
        />
        <label htmlFor={id} className="text-sm font-medium text-slate-800 dark:text-slate-200">
          {decor.prefix && <span className="sr-only">{decor.prefix} </span>}
          {spec.label}
        </label>
      </div>
      {spec.description && (
        <p id={`${id}-desc`} className="pl-6 text-xs text-slate-500 dark:text-slate-400">
          {spec.description}
        </p>
      )}
      <FieldErrors id={`${id}-err`} errors={errors} />
    </div>
  );
}

export function MultiSelectField({ id, spec, value, onChange, decor }: FieldProps) {
  const scope = useScope();
  const current = Array.isArray(value) ? (value as string[]) : Array.isArray(spec.schema.default) ? (spec.schema.default as string[]) : [];
  const errors = problemsOf(scope, spec, current, { within: true });
  return (
    <fieldset className="space-y-1" aria-describedby={describedBy(id, { description: spec.description, errors })}>
      <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">
        {decor.prefix && <span className="sr-only">{decor.prefix} </span>}
        {spec.label}
      </legend>
      <div className="flex flex-wrap gap-x-4 gap-y-1">
        {spec.options?.map((option) => (
          <label key={option} className="flex items-center gap-1.5 text-sm">
            <input
              type="checkbox"
              className="size-4 accent-indigo-600"
              checked={current.includes(option)}
              disabled={scope.readOnly}
              onChange={(e) => onChange(e.target.checked ? spec.options!.filter((o) => o === option || current.includes(o)) : current.filter((o) => o !== option))}
            />
            {optionLabel(option)}
          </label>
        ))}
      </div>
      {spec.description && (
        <p id={`${id}-desc`} className="text-xs text-slate-500 dark:text-slate-400">
          {spec.description}
        </p>
      )}
      <FieldErrors id={`${id}-err`} errors={errors} />
    </fieldset>
  );
}

