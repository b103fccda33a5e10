"use client";

import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { formFieldNames, formSchema, type ControlKind, type Widget } from "@/nodes/_core/dashboard";
import { DEFAULT_SLIDER_RANGE } from "@/nodes/_core/dashboard-controls";
import { inputClass } from "../../credentials/form-controls";
import { useWorkspace } from "../../workspace-context";

/** What the add-widget dialog holds for a control widget while it is filled in. */
export interface ControlDraft {
  flowId: string;
  shared: boolean;
  label: string;
  /** The form's fields as JSON Schema text. */
  formText: string;
  min: string;
  max: string;
  step: string;
}

const EXAMPLE_FORM = `{
  "type": "object",
  "properties": {
    "name": { "type": "string", "title": "Your name", "maxLength": 80 },
    "email": { "type": "string", "title": "Email", "format": "email" },
    "seats": { "type": "integer", "title": "Seats", "minimum": 1, "maximum": 10 },
    "plan": { "type": "string", "title": "Plan", "enum": ["free", "team"] },
    "notes": { "type": "string", "title": "Notes", "format": "textarea" },
    "newsletter": { "type": "boolean", "title": "Send me news" }
  },
  "required": ["name", "seats"]
}`;

export const emptyControlDraft = (): ControlDraft => ({
  flowId: "",
  shared: false,
  label: "",
  formText: EXAMPLE_FORM,
  min: String(DEFAULT_SLIDER_RANGE.min),
  max: String(DEFAULT_SLIDER_RANGE.max),
  step: String(DEFAULT_SLIDER_RANGE.step),
});

/** The settings of a control widget already on the dashboard, to change them. */
export function controlDraftOf(widget: Widget): ControlDraft {
  const empty = emptyControlDraft();
  const form = widget.form && {
    type: widget.form.type,
    properties: Object.fromEntries(formFieldNames(widget.form).map((name) => [name, widget.form!.properties[name]])),
    ...(widget.form.required && { required: widget.form.required }),
  };
  return {
    flowId: widget.action?.flowId ?? "",
    shared: widget.action?.shared ?? false,
    label: widget.action?.label ?? "",
    formText: form ? JSON.stringify(form, null, 2) : empty.formText,
    min: widget.range ? String(widget.range.min) : empty.min,
    max: widget.range ? String(widget.range.max) : empty.max,
    step: widget.range ? String(widget.range.step) : empty.step,
  };
}

/** A schema problem's place in words: a field by its name, else the path. */
function where(path: readonly PropertyKey[]): string {
  if (path[0] === "properties" && path.length >= 2) return `Field "${String(path[1])}"`;
  return path.length ? path.map(String).join(".") : "The form";
}

/** The form's schema from its text, with the order the fields were written in; or what is wrong with it. */
function parseForm(text: string): { form: Widget["form"] } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `The form's fields are not valid JSON: ${(err as Error).message}` };
  }
  const properties = value && typeof value === "object" && "properties" in value ? (value as { properties: unknown }).properties : undefined;
  const order = properties && typeof properties === "object" ? Object.keys(properties) : undefined;
  const parsed = formSchema.safeParse(value && typeof value === "object" && !Array.isArray(value) ? { ...value, order } : value);
  if (!parsed.success) return { problem: parsed.error.issues.map((issue) => `${where(issue.path)}: ${issue.message}`).join("; ") };
  return { form: parsed.data };
}

/** The control settings of a widget of `kind`, ready for the widget schema to check; or a problem to show. */
export function controlFields(kind: ControlKind, draft: ControlDraft): { fields: Pick<Widget, "action" | "form" | "range"> } | { problem: string } {
  const action = { flowId: draft.flowId, shared: draft.shared, label: draft.label.trim() || undefined };
  if (kind === "form") {
    const form = parseForm(draft.formText);
    if ("problem" in form) return form;
    return { fields: { action, form: form.form } };
  }
  if (kind === "slider") {
    const [min, max, step] = [draft.min, draft.max, draft.step].map((v) => (v.trim() === "" ? Number.NaN : Number(v)));
    const bad = [
      ["Minimum", min],
      ["Maximum", max],
      ["Step", step],
    ].find(([, v]) => !Number.isFinite(v as number));
    if (bad) return { problem: `${bad[0]} of the slider must be a number` };
    return { fields: { action, range: { min: min!, max: max!, step: step! } } };
  }
  return { fields: { action } };
}

/**
 * The settings a control widget adds to the dialog: the flow it starts (the workspace's flows; an inactive one is
 * marked, as a dashboard starts a flow's active version), whether a shared link may start it, a label, and a
 * form's fields or a slider's range.
 */
export function ControlSettings({ kind, draft, onChange }: { kind: ControlKind; draft: ControlDraft; onChange: (draft: ControlDraft) => void }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const id = useId();
  const flows = useQuery(trpc.flow.list.queryOptions({ workspaceId: workspace.id }));
  const chosen = flows.data?.find((f) => f.id === draft.flowId);
  const set = (change: Partial<ControlDraft>) => onChange({ ...draft, ...change });
  const formCheck = kind === "form" ? parseForm(draft.formText) : null;
  return (
    <div className="space-y-4">
      <div className="space-y-1 text-sm font-medium">
        <label htmlFor={`${id}-flow`} className="block">
          Flow it starts
        </label>
        <select id={`${id}-flow`} value={draft.flowId} onChange={(e) => set({ flowId: e.target.value })} required aria-describedby={`${id}-flow-help`} className={inputClass}>
          <option value="">Choose a flow…</option>
          {flows.data?.map((f) => (
            <option key={f.id} value={f.id}>
              {f.active ? f.name : `${f.name} (not active)`}
            </option>
          ))}
        </select>
        <p id={`${id}-flow-help`} className="text-xs font-normal text-slate-500 dark:text-slate-400">
          {flows.isPending
            ? "Loading flows…"
            : flows.data?.length === 0
              ? "No flows yet: create one first."
              : chosen && !chosen.active
                ? "This flow is not active: activate a version of it in the editor, or the widget cannot start it."
                : kind === "voice"
                  ? "The recording reaches the flow's voice command trigger; the widget shows the flow's answer."
                  : "The widget starts the flow's active version with what was entered."}
        </p>
      </div>
      {kind !== "voice" && kind !== "slider" && (
        <label className="block space-y-1 text-sm font-medium">
          <span>{kind === "form" ? "Send button label" : "Button label"}</span>
          <input value={draft.label} onChange={(e) => set({ label: e.target.value })} maxLength={60} placeholder={kind === "form" ? "Send" : "The widget's title"} className={inputClass} />
        </label>
      )}
      {kind === "form" && (
        <div className="space-y-1 text-sm font-medium">
          <label htmlFor={`${id}-form`} className="block">
            Form fields (JSON Schema)
          </label>
          <textarea
            id={`${id}-form`}
            value={draft.formText}
            onChange={(e) => set({ formText: e.target.value })}
            rows={10}
            spellCheck={false}
            aria-invalid={formCheck !== null && "problem" in formCheck}
            aria-describedby={`${id}-form-help`}
            className={`${inputClass} font-mono text-xs`}
          />
          <p id={`${id}-form-help`} className={`text-xs font-normal ${formCheck && "problem" in formCheck ? "text-red-700 dark:text-red-400" : "text-slate-500 dark:text-slate-400"}`}>
            {formCheck && "problem" in formCheck
              ? formCheck.problem
              : "Each field: type string, number, integer or boolean; title; enum for a list of choices; minimum and maximum; maxLength; format email, uri, date, date-time or textarea. required names the fields that must be filled in."}
          </p>
        </div>
      )}
      {kind === "slider" && (
        <fieldset className="grid grid-cols-3 gap-3">
          <legend className="mb-1 text-sm font-medium">Range</legend>
          {(
            [
              ["min", "Minimum"],
              ["max", "Maximum"],
              ["step", "Step"],
            ] as const
          ).map(([key, label]) => (
            <label key={key} className="block space-y-1 text-sm">
              <span>{label}</span>
              <input type="number" inputMode="decimal" step="any" value={draft[key]} onChange={(e) => set({ [key]: e.target.value })} required className={inputClass} />
            </label>
          ))}
        </fieldset>
      )}
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" checked={draft.shared} onChange={(e) => set({ shared: e.target.checked })} className="mt-0.5 size-4 accent-indigo-600" />
        <span>
          <span className="font-medium">Allow from a shared link</span>
          <span className="block text-xs text-slate-500 dark:text-slate-400">Anyone with a read-only link to this dashboard may start the flow with this widget.</span>
        </span>
      </label>
    </div>
  );
}
