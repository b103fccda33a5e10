"use client";

import { FieldErrors, describedBy, ghostButton, inputClass, secondaryButton } from "@/app/w/[slug]/credentials/form-controls";
import { MultiSelectField, SwitchField } from "./choice-fields";
import { ChoiceListField } from "./choice-list-field";
import { fieldId, problemsOf, singular, spoken, useScope, type FieldProps, type LabelDecor, ListLegend } from "./form-scope";
import { ExpressionCapable, PlainField } from "./plain-field";
import { fieldSpec, fieldsOf, issuesAt, moveItem, newItem, withKey, type FieldSpec, type JsonSchema } from "./schema-form";

// A config field by the kind of its schema. The groups of fields (objects, lists of objects, name/value rows) are
// here with it, since they hold fields of their own; single values and choices are in plain-field and choice-fields.

export function SchemaField({ spec, value, onChange, decor = {} }: { spec: FieldSpec; value: unknown; onChange(value: unknown): void; decor?: LabelDecor }) {
  const scope = useScope();
  const props = { id: fieldId(scope, spec.path), spec, value, onChange, decor };
  if (spec.kind === "switch") return <SwitchField {...props} />;
  if (spec.kind === "multiselect") return <MultiSelectField {...props} />;
  if (spec.kind === "object") return <ObjectField {...props} />;
  if (spec.kind === "list") return <ListField {...props} />;
  if (spec.kind === "choiceList") {
    return <ChoiceListField {...props} renderField={(child) => <SchemaField key={child.spec.key} spec={child.spec} value={child.value} onChange={child.onChange} decor={{ prefix: child.prefix }} />} />;
  }
  if (spec.kind === "keyValue" || spec.kind === "record") return <PairsField {...props} />;
  if (spec.expression && spec.kind !== "json") return <ExpressionCapable {...props} />;
  return <PlainField {...props} />;
}

function ObjectField({ id, spec, value, onChange, decor }: FieldProps) {
  const scope = useScope();
  const object = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const errors = issuesAt(scope.issues, spec.path);
  return (
    <fieldset className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-800" aria-describedby={describedBy(id, { description: spec.description, errors })}>
      <legend className="px-1 text-sm font-medium">{spec.label}</legend>
      {spec.description && (
        <p id={`${id}-desc`} className="text-xs text-slate-500 dark:text-slate-400">
          {spec.description}
        </p>
      )}
      {fieldsOf(spec.schema, spec.path, scope.root).map((child) => (
        <SchemaField key={child.key} spec={child} value={object[child.key]} onChange={(v) => onChange(withKey(object, child.key, v))} decor={{ prefix: spoken(decor, spec.label) }} />
      ))}
      <FieldErrors id={`${id}-err`} errors={errors} />
    </fieldset>
  );
}

/** A list of objects (switch rules, A/B variants): each item a group of fields, added, removed and reordered. */
function ListField({ id, spec, value, onChange, decor }: FieldProps) {
  const scope = useScope();
  const list = Array.isArray(value) ? value : [];
  const noun = singular(spec.label);
  const itemSchema = spec.schema.items!;
  const errors = problemsOf(scope, spec, list);
  const max = spec.schema.maxItems;
  return (
    <fieldset className="space-y-2" aria-describedby={describedBy(id, { description: spec.description, errors })}>
      <ListLegend id={id} spec={spec} />
      <ol className="space-y-2">
        {list.map((item, index) => {
          const object = item && typeof item === "object" ? (item as Record<string, unknown>) : {};
          const itemLabel = spoken(decor, `${noun} ${index + 1}`);
          const replace = (next: unknown) => onChange(list.map((old, i) => (i === index ? next : old)));
          return (
            <li key={index} className="rounded-md border border-slate-200 bg-slate-50/60 p-3 dark:border-slate-800 dark:bg-slate-900/40">
              <fieldset className="space-y-2">
                <div className="flex items-center justify-between">
                  <legend className="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{itemLabel}</legend>
                  {!scope.readOnly && (
                    <span className="flex gap-0.5">
                      <button type="button" className={ghostButton} disabled={index === 0} onClick={() => onChange(moveItem(list, index, index - 1))} aria-label={`Move ${itemLabel} up`}>
                        ↑
                      </button>
                      <button type="button" className={ghostButton} disabled={index === list.length - 1} onClick={() => onChange(moveItem(list, index, index + 1))} aria-label={`Move ${itemLabel} down`}>
                        ↓
                      </button>
                      <button type="button" className={`${ghostButton} text-red-600 dark:text-red-400`} onClick={() => onChange(list.filter((_, i) => i !== index))} aria-label={`Remove ${itemLabel}`}>
                        Remove
                      </button>
                    </span>
                  )}
                </div>
                {fieldsOf(itemSchema, `${spec.path}[${index}]`, scope.root).map((child) => (
                  <SchemaField key={child.key} spec={child} value={object[child.key]} onChange={(v) => replace(withKey(object, child.key, v))} decor={{ prefix: itemLabel }} />
                ))}
                <FieldErrors id={`${id}-${index}-err`} errors={issuesAt(scope.issues, `${spec.path}[${index}]`)} />
              </fieldset>
            </li>
          );
        })}
      </ol>
      {!scope.readOnly && (
        <button type="button" className={secondaryButton} disabled={max !== undefined && list.length >= max} onClick={() => onChange([...list, newItem(itemSchema, scope.root)])}>
          Add {noun.toLowerCase()}
        </button>
      )}
      <FieldErrors id={`${id}-err`} errors={errors} />
    </fieldset>
  );
}

/** Name/value rows: lists of {name, value} (headers, fields to set) and records of text. */
function PairsField({ id, spec, value, onChange, decor }: FieldProps) {
  const scope = useScope();
  const isRecord = spec.kind === "record";
  const rows: { name: string; value: unknown }[] = isRecord
    ? Object.entries(value && typeof value === "object" ? (value as Record<string, unknown>) : {}).map(([name, v]) => ({ name, value: v }))
    : Array.isArray(value)
      ? (value as { name: string; value: unknown }[])
      : [];
  const store = (next: { name: string; value: unknown }[]) => onChange(isRecord ? Object.fromEntries(next.map((r) => [r.name, r.value])) : next);
  const itemSchema = isRecord ? undefined : spec.schema.items;
  const nameSpec = itemSchema?.properties?.name;
  const valueSpec = (isRecord ? (spec.schema.additionalProperties as JsonSchema) : itemSchema?.properties?.value) ?? {};
  const nameLabel = nameSpec?.title ?? "Name";
  const valueLabel = valueSpec.title ?? "Value";
  const errors = problemsOf(scope, spec, isRecord ? rows : value, { within: true });
  const noun = singular(spec.label).toLowerCase();
  const rowName = (index: number) => spoken(decor, `${spec.label} ${index + 1}`);
  return (
    <fieldset className="space-y-2" aria-describedby={describedBy(id, { description: spec.description, errors })}>
      <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">{spec.label}</legend>
      {spec.description && (
        <p id={`${id}-desc`} className="text-xs text-slate-500 dark:text-slate-400">
          {spec.description}
        </p>
      )}
      {rows.length > 0 && (
        <ol className="space-y-2">
          {rows.map((row, index) => {
            const rowPath = isRecord ? `${spec.path}.${row.name}` : `${spec.path}[${index}]`;
            const rowId = `${id}-${index}`;
            const replace = (next: { name: string; value: unknown }) => store(rows.map((old, i) => (i === index ? next : old)));
            const valueField = fieldSpec({ key: "value", schema: valueSpec, root: scope.root, path: isRecord ? rowPath : `${rowPath}.value`, required: false });
            return (
              <li key={index} className="flex items-start gap-2">
                <div className="w-2/5 shrink-0">
                  <label htmlFor={`${rowId}-name`} className="sr-only">
                    {`${rowName(index)} ${nameLabel.toLowerCase()}`}
                  </label>
                  <input
                    id={`${rowId}-name`}
                    value={row.name}
                    placeholder={nameLabel}
                    disabled={scope.readOnly}
                    spellCheck={false}
                    onChange={(e) => replace({ ...row, name: e.target.value })}
                    aria-invalid={issuesAt(scope.issues, `${rowPath}.name`).length ? true : undefined}
                    className={`${inputClass} font-mono`}
                  />
                </div>
                <div className="min-w-0 flex-1">
                  <SchemaField
                    spec={{ ...valueField, label: valueLabel.toLowerCase(), description: undefined, placeholder: valueField.placeholder ?? valueLabel }}
                    value={row.value}
                    onChange={(v) => replace({ ...row, value: v ?? "" })}
                    decor={{ prefix: rowName(index), hideLabel: true }}
                  />
                </div>
                {!scope.readOnly && (
                  <button type="button" className={`${ghostButton} mt-0.5`} onClick={() => store(rows.filter((_, i) => i !== index))} aria-label={`Remove ${rowName(index)}`}>
                    ✕
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {!scope.readOnly && (
        <button type="button" className={secondaryButton} onClick={() => store([...rows, { name: "", value: "" }])}>
          Add {noun}
        </button>
      )}
      <FieldErrors id={`${id}-err`} errors={errors} />
    </fieldset>
  );
}
