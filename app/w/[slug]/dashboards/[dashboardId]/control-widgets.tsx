"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { HoldToTalk } from "@/app/_components/hold-to-talk";
import { useTRPCClient } from "@/app/_components/trpc-provider";
import { formFieldNames, type FormField, type SeriesPointView, type Widget, type WidgetActResult } from "@/nodes/_core/dashboard";
import { DEFAULT_SLIDER_RANGE, fieldLabel, formValuesSchema } from "@/nodes/_core/dashboard-controls";
import { inputClass, primaryButton } from "../../credentials/form-controls";
import { formatValue, pointValue } from "../widget-values";
import { useDashboardSource, type DashboardSource } from "./dashboard-source";
import type { WidgetData } from "./widget-views";

/**
 * The widgets a person acts through: each starts its flow through `useDashboardSource()`, as a member (tRPC
 * `dashboard.act`, the flow's voice route for recordings) or through a shared link (its act and voice routes).
 */

/** A shared page's link token; none for a member's view. */
function shareToken(source: DashboardSource): string | null {
  return "token" in source && typeof source.token === "string" ? source.token : null;
}

/** Why the viewer cannot use the widget, in words shown beside it; null when they can. */
function disabledReason(source: DashboardSource, widget: Widget): string | null {
  if (shareToken(source) !== null) return widget.action?.shared ? null : "Not available from a shared link: its owner has not allowed it.";
  return source.canRun ? null : "Starting flows needs the operator role or higher.";
}

async function postJson(url: string, init: RequestInit): Promise<WidgetActResult> {
  const response = await fetch(url, init);
  const body = (await response.json().catch(() => ({}))) as WidgetActResult & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `The server answered ${response.status}.`);
  return body;
}

/** Acting through a widget, wherever the dashboard is shown: its pending state, its last result and what went wrong. */
function useWidgetAct(widget: Widget) {
  const source = useDashboardSource();
  const client = useTRPCClient();
  const token = shareToken(source);
  const base = token ? `/api/share/${encodeURIComponent(token)}/widgets/${encodeURIComponent(widget.id)}` : null;
  const act = useMutation({
    mutationFn: (input: unknown): Promise<WidgetActResult> =>
      base
        ? postJson(`${base}/act`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input }) })
        : client.dashboard.act.mutate({ workspaceId: workspaceOf(source), dashboardId: source.dashboardId, widgetId: widget.id, input }),
  });
  /** A recording: a member's goes to the flow's voice route and the run is followed; a link's to the link's own route. */
  const talk = useMutation({
    mutationFn: async (recording: Blob): Promise<WidgetActResult> => {
      const init = { method: "POST", headers: { "content-type": recording.type || "audio/webm" }, body: recording };
      if (base) return postJson(`${base}/voice`, init);
      const response = await fetch(`/api/flows/${encodeURIComponent(widget.action?.flowId ?? "")}/voice?source=active`, init);
      const body = (await response.json().catch(() => ({}))) as { runId?: string; error?: string };
      if (!response.ok || !body.runId) throw new Error(body.error ?? `The server answered ${response.status}.`);
      return client.dashboard.actResult.query({ workspaceId: workspaceOf(source), runId: body.runId });
    },
  });
  return { act, talk, disabled: disabledReason(source, widget) };
}

/** The member's workspace; a shared page acts through its link instead. */
function workspaceOf(source: DashboardSource): string {
  return "workspaceId" in source && typeof source.workspaceId === "string" ? source.workspaceId : "";
}

/** The last value of the widget's series, if it has one. */
function latestValue(widget: Widget, data: WidgetData): { value: unknown; at: number } | null {
  const series = widget.series[0];
  if (!series) return null;
  const point: SeriesPointView | undefined = data.points.get(series)?.at(-1) ?? data.last.get(series);
  return point ? { value: pointValue(point, widget.field), at: point.at } : null;
}

/** Words flows answer with, read as text: an answer, a reply, a message… */
const TEXT_FIELDS = ["answer", "reply", "text", "message", "result", "response", "transcript"];

function answerText(output: unknown): string | null {
  if (typeof output === "string") return output;
  if (output && typeof output === "object" && !Array.isArray(output)) {
    for (const key of TEXT_FIELDS) {
      const value = (output as Record<string, unknown>)[key];
      if (typeof value === "string" && value.trim()) return value;
    }
  }
  return null;
}

const STATUS_WORDS: Record<WidgetActResult["status"], string> = {
  queued: "Queued: the flow starts soon.",
  running: "Still running: the result shows in the flow's runs.",
  succeeded: "Done.",
  failed: "The flow failed.",
  cancelled: "The run was cancelled.",
};

/** What came of the last action: its status, and the flow's answer (its text, else its JSON). */
function ResultLine({ result, error }: { result: WidgetActResult | undefined; error: Error | null }) {
  return (
    <div aria-live="polite" className="min-h-0 text-xs">
      {error ? (
        <ErrorAlert className="p-2 text-xs">{error.message}</ErrorAlert>
      ) : result ? (
        <div data-testid="widget-result" className="space-y-1">
          <p className={result.status === "failed" ? "text-red-700 dark:text-red-400" : "text-slate-600 dark:text-slate-400"}>
            {STATUS_WORDS[result.status]}
            {result.error ? ` ${result.error}` : ""}
          </p>
          {result.output !== undefined && <Answer output={result.output} truncated={result.outputTruncated} />}
        </div>
      ) : null}
    </div>
  );
}

function Answer({ output, truncated }: { output: unknown; truncated?: boolean }) {
  const text = truncated ? null : answerText(output);
  if (text !== null) return <p className="whitespace-pre-wrap break-words text-sm text-slate-900 dark:text-slate-100">{text}</p>;
  return (
    <pre className="max-h-32 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-1.5 font-mono text-[11px] text-slate-800 dark:bg-slate-800 dark:text-slate-200">
      {typeof output === "string" ? output : JSON.stringify(output, null, 2)}
      {truncated ? "…" : ""}
    </pre>
  );
}

/** The reason a control is disabled, tied to it for screen readers. */
function Reason({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="text-xs text-slate-500 dark:text-slate-400">
      {children}
    </p>
  );
}

function Spinner() {
  return <span aria-hidden className="inline-block size-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" />;
}

export function ButtonWidget({ widget }: { widget: Widget; data: WidgetData }) {
  const id = useId();
  const { act, disabled } = useWidgetAct(widget);
  const label = widget.action?.label || widget.title || "Run";
  return (
    <div className="flex h-full flex-col gap-2 overflow-auto px-3 pb-2">
      <button
        type="button"
        onClick={() => act.mutate(undefined)}
        disabled={disabled !== null || act.isPending}
        aria-describedby={disabled ? `${id}-why` : undefined}
        className={`${primaryButton} flex min-h-11 w-full items-center justify-center gap-2 text-base`}
      >
        {act.isPending && <Spinner />}
        {act.isPending ? "Running…" : label}
      </button>
      {disabled && <Reason id={`${id}-why`}>{disabled}</Reason>}
      <ResultLine result={act.data} error={act.error} />
    </div>
  );
}

type FormValues = Record<string, string | boolean>;

/** Each field's starting value as its control holds it: its default, else empty (unchecked for a yes/no). */
function initialValues(fields: [string, FormField][]): FormValues {
  return Object.fromEntries(fields.map(([name, field]) => [name, field.type === "boolean" ? field.default === true : field.default === undefined ? "" : String(field.default)]));
}

/** What the controls hold, as the flow takes it: numbers as numbers, choices as their own type, empty fields left out. */
function toInput(fields: [string, FormField][], values: FormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, field] of fields) {
    const value = values[name];
    if (typeof value === "boolean") input[name] = value;
    else if (value === undefined || value === "") continue;
    else if (field.type === "number" || field.type === "integer") input[name] = value.trim() === "" ? undefined : Number(value);
    else input[name] = value;
  }
  return input;
}

const INPUT_TYPES: Partial<Record<NonNullable<FormField["format"]>, string>> = { email: "email", uri: "url", date: "date", "date-time": "datetime-local" };

function FieldControl({ id, name, field, value, required, errors, disabled, onChange }: {
  id: string;
  name: string;
  field: FormField;
  value: string | boolean;
  required: boolean;
  errors: string[];
  disabled: boolean;
  onChange: (value: string | boolean) => void;
}) {
  const label = fieldLabel(name, field);
  const described = [field.description ? `${id}-desc` : null, errors.length ? `${id}-err` : null].filter(Boolean).join(" ") || undefined;
  const common = { id, name, disabled, "aria-invalid": errors.length > 0, "aria-required": required, "aria-describedby": described };
  let control: ReactNode;
  if (field.type === "boolean") {
    control = (
      <label htmlFor={id} className="flex items-center gap-2 text-sm">
        <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} className="size-4 accent-indigo-600" />
        <span>{label}</span>
        {required && (
          <span className="text-red-600 dark:text-red-400" aria-hidden>
            *
          </span>
        )}
      </label>
    );
  } else {
    if (field.enum) {
      control = (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)} className={inputClass}>
          <option value="">Choose…</option>
          {field.enum.map((choice) => (
            <option key={String(choice)} value={String(choice)}>
              {String(choice)}
            </option>
          ))}
        </select>
      );
    } else if (field.format === "textarea") {
      control = <textarea {...common} rows={3} value={String(value)} maxLength={field.maxLength} onChange={(e) => onChange(e.target.value)} className={inputClass} />;
    } else if (field.type === "number" || field.type === "integer") {
      control = (
        <input
          type="number"
          inputMode={field.type === "integer" ? "numeric" : "decimal"}
          {...common}
          value={String(value)}
          min={field.minimum}
          max={field.maximum}
          step={field.type === "integer" ? 1 : "any"}
          onChange={(e) => onChange(e.target.value)}
          className={inputClass}
        />
      );
    } else {
      control = <input type={(field.format && INPUT_TYPES[field.format]) || "text"} {...common} value={String(value)} maxLength={field.maxLength} onChange={(e) => onChange(e.target.value)} className={inputClass} />;
    }
    control = (
      <>
        <span className="flex items-baseline gap-0.5">
          <label htmlFor={id} className="text-sm font-medium text-slate-800 dark:text-slate-200">
            {label}
          </label>
          {required && (
            <span className="text-red-600 dark:text-red-400" aria-hidden>
              *
            </span>
          )}
        </span>
        {control}
      </>
    );
  }
  return (
    <div className="space-y-1">
      {control}
      {field.description && (
        <p id={`${id}-desc`} className="text-xs text-slate-500 dark:text-slate-400">
          {field.description}
        </p>
      )}
      {errors.length > 0 && (
        <ul id={`${id}-err`} className="text-xs text-red-700 dark:text-red-400">
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A form of the widget's fields, checked here by the same rules the server checks again, then sent to its flow. */
export function FormWidget({ widget }: { widget: Widget; data: WidgetData }) {
  const id = useId();
  const { act, disabled } = useWidgetAct(widget);
  const form = widget.form;
  const fields: [string, FormField][] = form ? formFieldNames(form).map((name) => [name, form.properties[name]!]) : [];
  const required = new Set(form?.required ?? []);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  if (!form) return <p className="px-3 pb-2 text-xs text-slate-500 dark:text-slate-400">This form has no fields.</p>;

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = formValuesSchema(form!).safeParse(toInput(fields, values));
    if (!parsed.success) {
      const found: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) (found[String(issue.path[0] ?? "")] ??= []).push(issue.message);
      setErrors(found);
      return;
    }
    setErrors({});
    act.mutate(parsed.data);
  }

  const problems = Object.values(errors).flat();
  return (
    <form noValidate onSubmit={submit} aria-label={widget.title || "Form"} className="flex h-full flex-col gap-2 overflow-auto px-3 pb-3">
      {fields.map(([name, field]) => (
        <FieldControl
          key={name}
          id={`${id}-${name}`}
          name={name}
          field={field}
          value={values[name] ?? ""}
          required={required.has(name)}
          errors={errors[name] ?? []}
          disabled={disabled !== null || act.isPending}
          onChange={(value) => setValues((current) => ({ ...current, [name]: value }))}
        />
      ))}
      {required.size > 0 && (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          <span aria-hidden className="text-red-600 dark:text-red-400">
            *
          </span>{" "}
          required
        </p>
      )}
      {problems.length > 0 && (
        <p role="alert" className="sr-only">
          {problems.join(". ")}
        </p>
      )}
      <button type="submit" disabled={disabled !== null || act.isPending} aria-describedby={disabled ? `${id}-why` : undefined} className={`${primaryButton} flex min-h-10 items-center justify-center gap-2`}>
        {act.isPending && <Spinner />}
        {act.isPending ? "Sending…" : widget.action?.label || "Send"}
      </button>
      {disabled && <Reason id={`${id}-why`}>{disabled}</Reason>}
      <ResultLine result={act.data} error={act.error} />
    </form>
  );
}

const ON_WORDS = new Set(["on", "true", "yes", "1", "open", "enabled", "active", "up"]);
const OFF_WORDS = new Set(["off", "false", "no", "0", "closed", "disabled", "inactive", "down"]);

/** A series value read as on or off; null when it is neither. */
export function switchStateOf(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") {
    const word = value.trim().toLowerCase();
    if (ON_WORDS.has(word)) return true;
    if (OFF_WORDS.has(word)) return false;
  }
  return null;
}

/** On or off: the state its series reports when it has one (newer than the last press), else the last state sent. */
export function SwitchWidget({ widget, data }: { widget: Widget; data: WidgetData }) {
  const id = useId();
  const { act, disabled } = useWidgetAct(widget);
  const [sent, setSent] = useState<{ value: boolean; at: number } | null>(null);
  const latest = latestValue(widget, data);
  const reported = latest ? switchStateOf(latest.value) : null;
  const fromSeries = reported !== null && (!sent || latest!.at >= sent.at);
  const on = act.isPending ? Boolean(act.variables && (act.variables as { value: boolean }).value) : fromSeries ? reported : (sent?.value ?? false);
  const label = widget.action?.label || widget.title || "Switch";
  const flip = () => {
    const value = !on;
    act.mutate({ value }, { onSuccess: () => setSent({ value, at: Date.now() }) });
  };
  return (
    <div className="flex h-full flex-col gap-2 overflow-auto px-3 pb-2">
      <div className="flex items-center gap-3">
        <button
          type="button"
          role="switch"
          aria-checked={on}
          aria-label={label}
          aria-describedby={disabled ? `${id}-why` : undefined}
          onClick={flip}
          disabled={disabled !== null || act.isPending}
          className={`relative inline-flex h-8 w-14 shrink-0 items-center rounded-full transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-50 dark:focus-visible:ring-offset-slate-900 ${
            on ? "bg-indigo-600" : "bg-slate-300 dark:bg-slate-600"
          }`}
        >
          <span aria-hidden className={`inline-block size-6 rounded-full bg-white shadow transition-transform ${on ? "translate-x-7" : "translate-x-1"}`} />
        </button>
        <span className="text-sm font-medium">{act.isPending ? "Switching…" : on ? "On" : "Off"}</span>
        {latest && reported === null && <span className="text-xs text-slate-500 dark:text-slate-400">Reported: {formatValue(latest.value)}</span>}
      </div>
      {disabled && <Reason id={`${id}-why`}>{disabled}</Reason>}
      <ResultLine result={act.error ? undefined : act.data} error={act.error} />
    </div>
  );
}

/** A value in the widget's range, sent when the thumb is let go (pointer or keys); starts at its series' latest number. */
export function SliderWidget({ widget, data }: { widget: Widget; data: WidgetData }) {
  const id = useId();
  const { act, disabled } = useWidgetAct(widget);
  const range = widget.range ?? DEFAULT_SLIDER_RANGE;
  const latest = latestValue(widget, data);
  const reported = typeof latest?.value === "number" ? Math.min(range.max, Math.max(range.min, latest.value)) : null;
  const [moving, setMoving] = useState<number | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const value = moving ?? sent ?? reported ?? range.min;
  const label = widget.action?.label || widget.title || "Value";
  const release = () => {
    if (moving === null) return;
    const chosen = moving;
    setMoving(null);
    setSent(chosen);
    act.mutate({ value: chosen });
  };
  return (
    <div className="flex h-full flex-col gap-2 overflow-auto px-3 pb-2">
      <div className="flex items-center gap-3">
        <input
          id={`${id}-range`}
          type="range"
          aria-label={label}
          aria-describedby={disabled ? `${id}-why` : undefined}
          min={range.min}
          max={range.max}
          step={range.step}
          value={value}
          disabled={disabled !== null}
          onChange={(e) => setMoving(Number(e.target.value))}
          onPointerUp={release}
          onKeyUp={release}
          onBlur={release}
          className="h-8 min-w-0 flex-1 accent-indigo-600 disabled:cursor-not-allowed disabled:opacity-50"
        />
        <output htmlFor={`${id}-range`} className="w-16 shrink-0 text-right text-lg font-semibold tabular-nums">
          {formatValue(value)}
          {widget.unit && <span className="ml-0.5 text-xs font-normal text-slate-500 dark:text-slate-400">{widget.unit}</span>}
        </output>
      </div>
      <div aria-hidden className="flex justify-between text-[11px] text-slate-500 dark:text-slate-400">
        <span>{formatValue(range.min)}</span>
        <span>{act.isPending ? "Sending…" : ""}</span>
        <span>{formatValue(range.max)}</span>
      </div>
      {disabled && <Reason id={`${id}-why`}>{disabled}</Reason>}
      <ResultLine result={act.data} error={act.error} />
    </div>
  );
}

/** Hold to talk: records while pressed, sends the recording to the widget's flow and shows its answer. */
export function VoiceWidget({ widget }: { widget: Widget; data: WidgetData }) {
  const id = useId();
  const { talk, disabled } = useWidgetAct(widget);
  return (
    <div className="flex h-full flex-col gap-2 overflow-auto px-3 pb-2" aria-describedby={disabled ? `${id}-why` : undefined}>
      <HoldToTalk flowId={widget.action?.flowId ?? ""} source="active" disabled={disabled !== null || talk.isPending} upload={async (recording) => void (await talk.mutateAsync(recording))} className="min-h-11" />
      {talk.isPending && (
        <p className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
          <Spinner /> Waiting for the flow&apos;s answer…
        </p>
      )}
      {disabled && <Reason id={`${id}-why`}>{disabled}</Reason>}
      <ResultLine result={talk.data} error={null} />
    </div>
  );
}
