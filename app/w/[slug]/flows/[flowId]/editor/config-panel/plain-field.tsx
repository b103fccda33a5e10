"use client";

import { useState, type ReactNode } from "react";
import { FieldShell, describedBy, inputClass } from "@/app/w/[slug]/credentials/form-controls";
import { CodeEditor } from "./code-editor";
import { CronNextRuns, cronError } from "./cron-next-runs";
import { ExpressionPreview } from "./expression-preview";
import { optionLabel, problemsOf, spoken, useScope, type FieldProps } from "./form-scope";
import { acceptsText, hasExpression, jsonText, parseJsonText, parseNumber, type FieldSpec } from "./schema-form";

// The widgets of one value under one label: text, numbers, selects, JSON and code editors, cron with its next
// runs, and the Fixed/Expression switch of a field that may hold an expression.

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

/** Text, numbers, selects, JSON, code and cron: one control under one label. */
export function PlainField({ id, spec, value, onChange, decor, labelAside }: FieldProps & { labelAside?: ReactNode }) {
  const scope = useScope();
  const [localError, setLocalError] = useState<string | null>(null);
  const timezone = typeof scope.config.timezone === "string" && scope.config.timezone ? scope.config.timezone : "UTC";
  const typedError = localError ?? (spec.kind === "cron" ? cronError(value, timezone) : null);
  const found = problemsOf(scope, spec, value, { within: spec.kind === "json" });
  // A cron that cannot be read is said at once, in the words the server uses for it, and only once.
  const errors = spec.kind === "cron" && typedError ? [typedError] : [...new Set([...found, ...(typedError ? [typedError] : [])])];
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
              {spec.schema.ui?.optionLabels?.[o] ?? optionLabel(o)}
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
          <CronNextRuns id={`${id}-next`} cron={typeof value === "string" ? value : ""} timezone={timezone} />
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

/** A field that may hold `{{ … }}`: a fixed value, or an expression with its live preview. */
export function ExpressionCapable({ id, spec, value, onChange, decor }: FieldProps) {
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

