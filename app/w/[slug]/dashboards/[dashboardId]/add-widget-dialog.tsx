"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { isControlKind, widget as widgetSchema, widgetKinds, type Widget, type WidgetKind } from "@/nodes/_core/dashboard";
import { inputClass, primaryButton, secondaryButton } from "../../credentials/form-controls";
import { useWorkspace } from "../../workspace-context";
import { KIND_LABELS, placeNew } from "../widget-values";
import { controlDraftOf, controlFields, ControlSettings, emptyControlDraft, type ControlDraft } from "./control-settings";

const newId = () => `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** Kinds that show no unit: a player, a forecast card (its units come with it), an experiment, most controls. */
const UNITLESS: ReadonlySet<WidgetKind> = new Set(["media", "weather", "abTest", "button", "form", "switch", "voice"]);
/** Controls that may show a series (the state a switch or slider reports), which they need not have. */
const OPTIONAL_SERIES: ReadonlySet<WidgetKind> = new Set(["switch", "slider"]);

/** Series as typed: one name, or several separated by commas (series names hold none) for a chart of several. */
const seriesList = (text: string) =>
  text
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);

/**
 * Adds a widget, or with `editing` changes one (keeping its place): a series the workspace's flows publish (or one
 * they will), how to show it, and its title; an A/B widget shows an experiment of the workspace instead of a
 * series, and a control widget the flow it starts.
 */
export function AddWidgetDialog({
  widgets,
  onAdd,
  editing,
  onClose,
}: {
  widgets: readonly Widget[];
  onAdd: (widget: Widget) => void;
  /**
   * In place of an "Add widget" button, a dialog for changing widgets: open while `editing` names one (it sits
   * outside the grid, whose cards are made anew when the layout changes between phone and desktop).
   */
  editing?: Widget | null;
  /** The dialog closed, saved or not. */
  onClose?: () => void;
}) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const known = useQuery(trpc.dashboard.series.queryOptions({ workspaceId: workspace.id }));
  const [series, setSeries] = useState("");
  const [kind, setKind] = useState<WidgetKind>("stat");
  const [title, setTitle] = useState("");
  const [unit, setUnit] = useState("");
  const [field, setField] = useState("");
  const [experimentKey, setExperimentKey] = useState("");
  const [control, setControl] = useState<ControlDraft>(emptyControlDraft);
  const [problem, setProblem] = useState<string | null>(null);
  const chosen = known.data?.find((s) => s.series === seriesList(series)[0]);
  const isAbTest = kind === "abTest";
  const isControl = isControlKind(kind);
  const showsSeries = !isAbTest && (!isControl || OPTIONAL_SERIES.has(kind));
  const experiments = useQuery(trpc.abTest.overview.queryOptions({ workspaceId: workspace.id }, { enabled: isAbTest }));
  const keyOf = (e: { flowId: string; experiment: string }) => JSON.stringify([e.flowId, e.experiment]);
  const experiment = experiments.data?.find((e) => keyOf(e) === experimentKey) ?? experiments.data?.[0];

  // The widget the settings were filled in from: another one chosen fills them in again, and opens the dialog.
  const [shownFor, setShownFor] = useState<string | null>(null);
  if ((editing?.id ?? null) !== shownFor) {
    setShownFor(editing?.id ?? null);
    if (editing) fill(editing);
  }
  useEffect(() => {
    if (shownFor) dialog.current?.showModal();
  }, [shownFor]);

  /** The fields as they start: a widget's settings, or a new widget's on the workspace's first series. */
  function fill(from: Widget | null) {
    setSeries(from ? from.series.join(", ") : (known.data?.[0]?.series ?? ""));
    setKind(from?.kind ?? "stat");
    setTitle(from?.title ?? "");
    setUnit(from?.unit ?? "");
    setField(from?.field ?? "");
    setExperimentKey(from?.experiment ? keyOf({ flowId: from.experiment.flowId, experiment: from.experiment.name }) : "");
    setControl(from ? controlDraftOf(from) : emptyControlDraft());
    setProblem(null);
  }

  function open() {
    fill(null);
    dialog.current?.showModal();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const settings = isControlKind(kind) ? controlFields(kind, control) : { fields: {} };
    if ("problem" in settings) {
      setProblem(settings.problem);
      return;
    }
    const names = seriesList(series);
    const parsed = widgetSchema.safeParse({
      id: editing?.id ?? newId(),
      kind,
      layout: editing?.layout ?? placeNew({ widgets, kind }),
      ...settings.fields,
      ...(isControl
        ? {
            title: title.trim() || KIND_LABELS[kind],
            series: showsSeries ? names.slice(0, 1) : [],
            field: (showsSeries && field.trim()) || undefined,
            unit: UNITLESS.has(kind) ? undefined : unit.trim() || undefined,
          }
        : isAbTest
        ? {
            title: title.trim() || (experiment ? `Experiment ${experiment.experiment}` : ""),
            series: [],
            experiment: experiment && { flowId: experiment.flowId, name: experiment.experiment },
          }
        : {
            title: title.trim() || names.join(", "),
            series: names,
            field: field.trim() || undefined,
            unit: UNITLESS.has(kind) ? undefined : unit.trim() || undefined,
          }),
    });
    if (!parsed.success) {
      setProblem(parsed.error.issues.map((issue) => issue.message).join("; "));
      return;
    }
    onAdd(parsed.data);
    dialog.current?.close();
  }

  return (
    <>
      {editing === undefined && (
        <button type="button" onClick={open} className={primaryButton}>
          Add widget
        </button>
      )}
      <dialog
        ref={dialog}
        onClose={onClose}
        aria-labelledby={`${id}-title`}
        className="m-auto max-h-[90dvh] w-full max-w-md overflow-y-auto rounded-xl border border-slate-200 bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-950/40 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <form onSubmit={submit} className="space-y-4">
          <h2 id={`${id}-title`} className="text-lg font-semibold">
            {editing !== undefined ? "Widget settings" : "Add widget"}
          </h2>
          <label className="block space-y-1 text-sm font-medium">
            <span>Show as</span>
            <select value={kind} onChange={(e) => setKind(e.target.value as WidgetKind)} className={inputClass}>
              {widgetKinds.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          {isAbTest ? (
            <div className="space-y-1 text-sm font-medium">
              <label htmlFor={`${id}-experiment`} className="block">
                Experiment
              </label>
              <select
                id={`${id}-experiment`}
                value={experiment ? keyOf(experiment) : ""}
                onChange={(e) => setExperimentKey(e.target.value)}
                required
                aria-describedby={`${id}-experiment-help`}
                className={inputClass}
              >
                {experiments.data?.map((e) => (
                  <option key={keyOf(e)} value={keyOf(e)}>
                    {`${e.experiment} (${e.flowName})`}
                  </option>
                ))}
              </select>
              <p id={`${id}-experiment-help`} className="text-xs font-normal text-slate-500 dark:text-slate-400">
                {experiments.isPending
                  ? "Loading experiments…"
                  : experiments.data?.length === 0
                    ? "No experiments yet: a flow's A/B split node makes one the first time it runs."
                    : "An A/B split of your flows: its variants against the control."}
              </p>
            </div>
          ) : null}
          {isControlKind(kind) && <ControlSettings kind={kind} draft={control} onChange={setControl} />}
          {showsSeries && (
            <div className="space-y-1 text-sm font-medium">
              <label htmlFor={`${id}-series-name`} className="block">
                {isControl ? "State series (optional)" : "Series"}
              </label>
              <input
                id={`${id}-series-name`}
                list={`${id}-series`}
                value={series}
                onChange={(e) => setSeries(e.target.value)}
                required={!isControl}
                maxLength={isControl ? 120 : 2500}
                aria-describedby={`${id}-series-help`}
                className={inputClass}
              />
              <datalist id={`${id}-series`}>
                {known.data?.map((s) => (
                  <option key={s.series} value={s.series}>
                    {`${s.points} points${s.unit ? `, ${s.unit}` : ""}`}
                  </option>
                ))}
              </datalist>
              <p id={`${id}-series-help`} className="text-xs font-normal text-slate-500 dark:text-slate-400">
                {isControl
                  ? "A series that reports the current state, shown on the widget; leave it empty if there is none."
                  : known.data?.length === 0
                  ? "No series yet: a flow's Dashboard publish node makes one the first time it runs. You can name it here already."
                  : chosen
                    ? `${chosen.points} points, the latest ${chosen.lastAt ? new Date(chosen.lastAt).toLocaleString() : "never"}`
                    : "A series your flows publish, or one they will; several, separated by commas, share one chart."}
              </p>
            </div>
          )}
          <label className="block space-y-1 text-sm font-medium">
            <span>Title</span>
            <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={120} placeholder={isAbTest ? (experiment ? `Experiment ${experiment.experiment}` : "The experiment's name") : isControl ? KIND_LABELS[kind] : series || "The series' name"} className={inputClass} />
          </label>
          {showsSeries && (
            <>
              <div className="grid grid-cols-2 gap-3">
                {!UNITLESS.has(kind) && (
                  <label className="block space-y-1 text-sm font-medium">
                    <span>Unit</span>
                    <input value={unit} onChange={(e) => setUnit(e.target.value)} maxLength={20} placeholder={chosen?.unit ?? "°C, ms, %"} className={inputClass} />
                  </label>
                )}
                <label className="block space-y-1 text-sm font-medium">
                  <span>Field</span>
                  <input value={field} onChange={(e) => setField(e.target.value)} maxLength={200} placeholder={kind === "media" ? "image.url" : "reading.celsius"} className={inputClass} />
                </label>
              </div>
              <p className="text-xs text-slate-500 dark:text-slate-400">Field picks a value out of points that carry JSON (a dotted path); leave it empty for plain numbers.</p>
            </>
          )}
          {problem && <ErrorAlert>{problem}</ErrorAlert>}
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className={secondaryButton}>
              Cancel
            </button>
            <button type="submit" className={primaryButton}>
              {editing !== undefined ? "Save" : "Add"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
