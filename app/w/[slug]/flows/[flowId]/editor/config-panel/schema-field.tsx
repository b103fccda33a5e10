"use client";

import { createContext, useContext, useState, type ReactNode } from "react";
import { FieldErrors, FieldShell, describedBy, ghostButton, inputClass, secondaryButton } from "@/app/w/[slug]/credentials/form-controls";
import { CodeEditor } from "./code-editor";
import { formatFire, nextFires } from "./cron-preview";
import { ExpressionPreview } from "./expression-preview";
import {
  acceptsText,
  checkValue,
  fieldSpec,
  fieldsOf,
  hasExpression,
  humanize,
  issuesAt,
  jsonText,
  moveItem,
  newItem,
  parseJsonText,
  parseNumber,
  withKey,
  type FieldSpec,
  type JsonSchema,
} from "./schema-form";

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

function useScope(): FormScope {
  const scope = useContext(FormContext);
  if (!scope) throw new Error("SchemaField is used outside a config form");
  return scope;
}

export function fieldId(scope: FormScope, path: string): string {
  return `${scope.idBase}-${path.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}

/** Enum values read as words when they are identifiers ("respondNode"), as written otherwise ("GET"). */
function optionLabel(option: string): string {
  return /^[a-z][A-Za-z0-9]*$/.test(option) ? humanize(option) : option;
}

function singular(label: string): string {
  return label.endsWith("s") && !label.endsWith("ss") ? label.slice(0, -1) : label;
}

/** The issues the server reported at the field, and the form's own check of the value. */
function problemsOf(scope: FormScope, spec: FieldSpec, value: unknown, { within = false } = {}): string[] {
  const local = checkValue(spec, value);
  const remote = issuesAt(scope.issues, spec.path, { within });
  return [...new Set([...(local ? [local] : []), ...remote])];
}

export interface LabelDecor {
  /** Unshown words before the label that tell repeated fields apart ("Rule 2"). */
  prefix?: string;
  hideLabel?: boolean;
}

export function SchemaField({ spec, value, onChange, decor = {} }: { spec: FieldSpec; value: unknown; onChange(value: unknown): void; decor?: LabelDecor }) {
  const scope = useScope();
  const props = { id: fieldId(scope, spec.path), spec, value, onChange, decor };
  if (spec.kind === "switch") return <SwitchField {...props} />;
  if (spec.kind === "multiselect") return <MultiSelectField {...props} />;
  if (spec.kind === "object") return <ObjectField {...props} />;
  if (spec.kind === "list") return <ListField {...props} />;
  if (spec.kind === "keyValue" || spec.kind === "record") return <PairsField {...props} />;
  if (spec.expression && spec.kind !== "json") return <ExpressionCapable {...props} />;
  return <PlainField {...props} />;
}

/**
 * The text of a control that types a value (numbers, JSON): kept as typed while it means the value, and written
 * afresh from the value when that changes from outside (undo, another field).
 */
function useTextFor(value: unknown, { format, means }: { format(value: unknown): string; means(text: string, value: unknown): boolean }): [string, (text: string) => void] {
  const [state, setState] = useState(() => ({ text: format(value), value }));
  let text = state.text;
  if (state.value !== value) {
    text = means(state.text, value) ? state.text : format(value);
    setState({ text, value });
  }
  return [text, (next: string) => setState((s) => ({ ...s, text: next }))];
}

type FieldProps = { id: string; spec: FieldSpec; value: unknown; onChange(value: unknown): void; decor: LabelDecor };

const spoken = (decor: LabelDecor, label: string) => (decor.prefix ? `${decor.prefix} ${label}` : label);

/** Text, numbers, selects, JSON, code and cron: one control under one label. */
function PlainField({ id, spec, value, onChange, decor, labelAside }: FieldProps & { labelAside?: ReactNode }) {
  const scope = useScope();
  const [localError, setLocalError] = useState<string | null>(null);
  const errors = [...problemsOf(scope, spec, value, { within: spec.kind === "json" }), ...(localError ? [localError] : [])];
  const aria = {
    "aria-describedby": describedBy(id, { description: spec.description, errors }),
    "aria-invalid": errors.length ? true : undefined,
    "aria-required": spec.required || undefined,
  };
  const disabled = scope.readOnly;
  let control: ReactNode;
  switch (spec.kind) {
    case "select":
      control = (
        <select id={id} value={typeof value === "string" ? value : ((spec.schema.default as string | undefined) ?? "")} onChange={(e) => onChange(e.target.value)} disabled={disabled} className={inputClass} {...aria}>
          {value === undefined && spec.schema.default === undefined && <option value="">Pick one…</option>}
          {spec.options?.map((o) => (
            <option key={o} value={o}>
              {optionLabel(o)}
            </option>
          ))}
        </select>
      );
      break;
    case "number":
      control = <NumberInput id={id} spec={spec} value={value} onChange={onChange} onError={setLocalError} disabled={disabled} aria={aria} />;
      break;
    case "textarea":
      control = (
        <textarea id={id} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} rows={4} placeholder={spec.placeholder} disabled={disabled} className={inputClass} {...aria} />
      );
      break;
    case "code":
      control = (
        <CodeEditor
          labelledBy={`${id}-label`}
          describedBy={aria["aria-describedby"]}
          invalid={errors.length > 0}
          value={typeof value === "string" ? value : ""}
          onChange={(text) => onChange(text === "" ? undefined : text)}
          language={spec.language === "json" ? "json" : "javascript"}
          readOnly={disabled}
          lineNumbers
          minHeight="12rem"
          maxHeight="28rem"
        />
      );
      break;
    case "json":
      control = <JsonInput id={id} spec={spec} value={value} onChange={onChange} onError={setLocalError} errors={errors} describedBy={aria["aria-describedby"]} />;
      break;
    case "cron":
      control = (
        <>
          <input id={id} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} placeholder={spec.placeholder} disabled={disabled} spellCheck={false} className={`${inputClass} font-mono`} {...aria} />
          <CronPreview cron={typeof value === "string" ? value : ""} timezone={typeof scope.config.timezone === "string" && scope.config.timezone ? scope.config.timezone : "UTC"} />
        </>
      );
      break;
    default:
      control = (
        <input
          id={id}
          type="text"
          value={value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value)}
          onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
          placeholder={spec.placeholder}
          disabled={disabled}
          spellCheck={false}
          className={inputClass}
          {...aria}
        />
      );
  }
  return (
    <FieldShell id={id} label={spec.label} required={spec.required} description={spec.description} errors={errors} labelAside={labelAside} labelPrefix={decor.prefix} hideLabel={decor.hideLabel}>
      {/* CodeMirror's editable area is not a labelable element: it takes the label by aria-labelledby. */}
      <span id={`${id}-label`} className="sr-only">
        {spoken(decor, spec.label)}
      </span>
      {control}
    </FieldShell>
  );
}

function NumberInput({
  id,
  spec,
  value,
  onChange,
  onError,
  disabled,
  aria,
}: {
  id: string;
  spec: FieldSpec;
  value: unknown;
  onChange(value: unknown): void;
  onError(error: string | null): void;
  disabled: boolean;
  aria: Record<string, unknown>;
}) {
  // What is typed stays as typed ("1." on the way to "1.5"); the config gets the number when there is one.
  const [text, setText] = useTextFor(value, {
    format: (v) => (v === undefined || v === null ? "" : String(v)),
    means: (t, v) => {
      const parsed = parseNumber(t, { integer: spec.integer });
      return "value" in parsed && (parsed.value === v || (parsed.value === undefined && (v === undefined || v === null)));
    },
  });
  const defaultText = spec.schema.default !== undefined ? `Default ${String(spec.schema.default)}` : undefined;
  return (
    <input
      id={id}
      type="text"
      inputMode={spec.integer ? "numeric" : "decimal"}
      value={text}
      placeholder={spec.placeholder ?? defaultText}
      disabled={disabled}
      className={inputClass}
      onChange={(e) => {
        setText(e.target.value);
        const parsed = parseNumber(e.target.value, { integer: spec.integer });
        if ("error" in parsed) onError(parsed.error);
        else {
          onError(null);
          if (parsed.value !== value) onChange(parsed.value);
        }
      }}
      {...aria}
    />
  );
}

function JsonInput({
  id,
  spec,
  value,
  onChange,
  onError,
  errors,
  describedBy: described,
}: {
  id: string;
  spec: FieldSpec;
  value: unknown;
  onChange(value: unknown): void;
  onError(error: string | null): void;
  errors: string[];
  describedBy?: string;
}) {
  const scope = useScope();
  const [text, setText] = useTextFor(value, {
    format: jsonText,
    means: (t, v) => {
      const parsed = parseJsonText(t, { allowText: acceptsText(spec.schema, scope.root) });
      return "value" in parsed && JSON.stringify(parsed.value) === JSON.stringify(v);
    },
  });
  return (
    <>
      <CodeEditor
        labelledBy={`${id}-label`}
        describedBy={described}
        invalid={errors.length > 0}
        value={text}
        language="json"
        readOnly={scope.readOnly}
        minHeight="5rem"
        placeholder={spec.placeholder}
        onChange={(next) => {
          setText(next);
          const parsed = parseJsonText(next, { allowText: acceptsText(spec.schema, scope.root) });
          if ("error" in parsed) onError(parsed.error);
          else {
            onError(null);
            onChange(parsed.value);
          }
        }}
      />
      {spec.expression && hasExpression(text) && (
        <ExpressionPreview
          id={`${id}-preview`}
          workspaceId={scope.workspaceId}
          flowId={scope.flowId}
          nodeId={scope.nodeId}
          runId={scope.runId}
          path={spec.path}
          expression={value !== null && typeof value === "object" ? (value as Record<string, unknown>) : text}
        />
      )}
    </>
  );
}

function CronPreview({ cron, timezone }: { cron: string; timezone: string }) {
  const result = nextFires({ cron, timezone });
  if ("error" in result) return <p className="text-xs text-amber-700 dark:text-amber-400">Cannot read this schedule: {result.error}</p>;
  if (result.times.length === 0) return null;
  return (
    <p className="text-xs text-slate-600 dark:text-slate-400">
      Next runs ({timezone}): {result.times.map((t) => formatFire(t, timezone)).join(" · ")}
    </p>
  );
}

/** A field that may hold `{{ … }}`: a fixed value, or an expression with its live preview. */
function ExpressionCapable({ id, spec, value, onChange, decor }: FieldProps) {
  const scope = useScope();
  const [expression, setExpression] = useState(() => hasExpression(value));
  const text = value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
  const toggle = (
    <div role="group" aria-label={`${spoken(decor, spec.label)} mode`} className="inline-flex overflow-hidden rounded-md border border-slate-300 text-xs dark:border-slate-700">
      {(["Fixed", "Expression"] as const).map((mode) => {
        const on = (mode === "Expression") === expression;
        return (
          <button
            key={mode}
            type="button"
            aria-pressed={on}
            disabled={scope.readOnly}
            onClick={() => {
              if (on) return;
              const toExpression = mode === "Expression";
              setExpression(toExpression);
              if (toExpression && text === "") onChange("{{ $json }}");
            }}
            className={`px-2 py-0.5 ${on ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800"}`}
          >
            {mode}
          </button>
        );
      })}
    </div>
  );
  if (!expression) return <PlainField id={id} spec={spec} value={value} onChange={onChange} decor={decor} labelAside={toggle} />;
  const errors = problemsOf(scope, spec, value);
  return (
    <FieldShell id={id} label={spec.label} required={spec.required} description={spec.description} errors={errors} labelAside={toggle} labelPrefix={decor.prefix} hideLabel={decor.hideLabel}>
      <span id={`${id}-label`} className="sr-only">
        {spoken(decor, spec.label)}
      </span>
      <CodeEditor
        labelledBy={`${id}-label`}
        describedBy={[describedBy(id, { description: spec.description, errors }), `${id}-preview`].filter(Boolean).join(" ")}
        invalid={errors.length > 0}
        value={text}
        onChange={(next) => onChange(next === "" ? undefined : next)}
        language="text"
        readOnly={scope.readOnly}
        placeholder={spec.placeholder ?? "{{ $json.field }}"}
      />
      <ExpressionPreview id={`${id}-preview`} workspaceId={scope.workspaceId} flowId={scope.flowId} nodeId={scope.nodeId} runId={scope.runId} path={spec.path} expression={text} />
    </FieldShell>
  );
}

function SwitchField({ id, spec, value, onChange, decor }: FieldProps) {
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

function MultiSelectField({ id, spec, value, onChange, decor }: FieldProps) {
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
