"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { Widget } from "@/nodes/_core/dashboard";
import { asKind, kindChoices, layoutWidgets, type WidgetProposal } from "@/nodes/_core/dashboard-proposals";
import { LLM_LAYOUT_LIMITS } from "@/nodes/_core/dashboard-llm-layout";
import { ghostButton, inputClass, primaryButton, secondaryButton } from "../credentials/form-controls";
import { canOperate, useWorkspace } from "../workspace-context";
import { KIND_LABELS } from "./widget-values";

/** One widget under review: what it is now, why it was offered, and whether it is kept. */
interface Choice {
  key: string;
  widget: Widget;
  reason: string;
  kept: boolean;
}

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
const LLM_TYPES = new Set(["openai.api", "ollama.api"]);
const DEFAULT_MODEL: Record<string, string> = { "openai.api": "gpt-4o-mini", "ollama.api": "llama3.2" };

/** Stat tiles and status lights start kept; the second way of showing the same series starts dropped. */
function initialChoices(proposals: readonly WidgetProposal[]): Choice[] {
  const shown = new Set<string>();
  return proposals.map((p, i) => {
    const key = JSON.stringify(p.widget.series);
    const kept = p.widget.series.length === 0 || !shown.has(key);
    shown.add(key);
    return { key: `${i}-${p.widget.id}`, widget: p.widget, reason: p.reason, kept };
  });
}

/**
 * "Create dashboard" from a flow: the widgets proposed from what its latest runs sent out, each with its reason, to
 * keep or drop and to change (kind, title, series); optionally laid out by the workspace's language model from a
 * description. Creating adds the publish nodes the kept widgets need to the flow, and opens the dashboard.
 */
export function GenerateDashboardDialog({ open, flowId: fixedFlowId, onClose }: { open: boolean; flowId?: string; onClose: () => void }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [pickedFlowId, setPickedFlowId] = useState("");
  const flowId = fixedFlowId ?? pickedFlowId;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  const flows = useQuery({ ...trpc.flow.list.queryOptions({ workspaceId: workspace.id }), enabled: open });
  const flowName = flows.data?.find((f) => f.id === flowId)?.name ?? "";

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto max-h-[92dvh] w-[min(100%-1rem,56rem)] max-w-none overflow-hidden rounded-xl border max-sm:h-dvh max-sm:max-h-dvh max-sm:w-full max-sm:rounded-none border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/40 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      {open && (
        <div className="flex max-h-[92dvh] flex-col max-sm:h-dvh max-sm:max-h-dvh">
          <div className="flex items-start justify-between gap-3 border-b border-slate-200 px-4 py-3 sm:px-6 dark:border-slate-800">
            <h2 id={titleId} className="min-w-0 text-lg font-semibold">
              Create dashboard from a flow
            </h2>
            <button type="button" aria-label="Close" onClick={() => dialog.current?.close()} className={ghostButton}>
              ✕
            </button>
          </div>
          {!fixedFlowId && (
            <div className="border-b border-slate-200 px-4 py-3 sm:px-6 dark:border-slate-800">
              <label className="block space-y-1 text-sm font-medium">
                <span>Flow</span>
                <select value={pickedFlowId} onChange={(e) => setPickedFlowId(e.target.value)} className={inputClass}>
                  <option value="">Pick a flow…</option>
                  {flows.data?.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
                </select>
              </label>
              {flows.data?.length === 0 && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">This workspace has no flows yet; make one that sends out the data to show.</p>}
            </div>
          )}
          {flowId ? <Review key={flowId} flowId={flowId} flowName={flowName} active={flows.data?.find((f) => f.id === flowId)?.active ?? false} onCancel={() => dialog.current?.close()} /> : null}
        </div>
      )}
    </dialog>
  );
}

function Review({ flowId, flowName, active, onCancel }: { flowId: string; flowName: string; active: boolean; onCancel: () => void }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const ref = { workspaceId: workspace.id, flowId };
  const proposed = useQuery(trpc.dashboardProposal.propose.queryOptions(ref));
  const workspaceSeries = useQuery(trpc.dashboard.series.queryOptions({ workspaceId: workspace.id }));
  // What the person changed; until then, the proposals as they came.
  const [edited, setChoices] = useState<Choice[] | null>(null);
  const [editedName, setName] = useState<string | null>(null);
  const name = editedName ?? flowName.slice(0, 100);
  const [notes, setNotes] = useState<string[]>([]);
  const create = useMutation(trpc.dashboardProposal.create.mutationOptions());
  const [created, setCreated] = useState<{ id: string; notes: string[] } | null>(null);

  const proposals = useMemo(() => proposed.data?.proposals ?? [], [proposed.data]);
  const initial = useMemo(() => (proposed.data ? initialChoices(proposed.data.proposals) : null), [proposed.data]);
  const choices = edited ?? initial;

  const seriesOptions = useMemo(() => {
    const names = new Set(proposals.flatMap((p) => p.widget.series));
    for (const s of workspaceSeries.data ?? []) names.add(s.series);
    return [...names];
  }, [proposals, workspaceSeries.data]);

  const update = (key: string, change: (choice: Choice) => Choice) => setChoices((all) => (all ?? initial)?.map((c) => (c.key === key ? change(c) : c)) ?? null);
  const kept = choices?.filter((c) => c.kept) ?? [];

  function submit(event: FormEvent) {
    event.preventDefault();
    if (kept.length === 0) return;
    const widgets = layoutWidgets(kept.map((c, i) => ({ ...c.widget, id: `${c.widget.kind}-${i + 1}` })));
    create.mutate(
      { ...ref, name, widgets },
      {
        onSuccess: async (result) => {
          await queryClient.invalidateQueries({ queryKey: trpc.dashboard.list.queryKey() });
          await queryClient.invalidateQueries({ queryKey: trpc.flow.list.queryKey() });
          if (result.feed.where === "draft" || result.feed.notes.some((n) => !n.startsWith("Version "))) setCreated({ id: result.id, notes: result.feed.notes });
          else router.push(`/w/${workspace.slug}/dashboards/${result.id}`);
        },
      },
    );
  }

  if (proposed.error) return <div className="p-4 sm:p-6"><ErrorAlert>{proposed.error.message}</ErrorAlert></div>;
  if (proposed.isPending || choices === null) return <p className="p-4 text-sm text-slate-500 sm:p-6">Reading the flow&apos;s latest runs…</p>;
  if (proposed.data.runs === 0) return <NoRunYet flowId={flowId} active={active} onRan={() => void proposed.refetch()} />;

  if (created) {
    return (
      <div className="space-y-3 p-4 sm:p-6">
        <p className="font-medium">The dashboard is made.</p>
        <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700 dark:text-slate-300">
          {created.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
        <div className="flex flex-wrap justify-end gap-2">
          {/* Whole page loads: an editor open on this flow must read the draft with its new publish nodes. */}
          <a href={`/w/${workspace.slug}/flows/${flowId}`} className={secondaryButton}>
            Open the flow
          </a>
          <a href={`/w/${workspace.slug}/dashboards/${created.id}`} className={primaryButton}>
            Open the dashboard
          </a>
        </div>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="flex min-h-0 flex-1 flex-col">
      <div className="min-h-0 flex-1 space-y-4 overflow-y-auto px-4 py-4 sm:px-6">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Widgets proposed from what the flow&apos;s latest successful runs sent out. Keep, drop or change each one; creating adds a Publish to dashboard node to the flow for each
          series a widget shows and no node publishes yet.
        </p>
        <DescribeLayout flowId={flowId} onLaidOut={(widgets, told) => {
          setChoices(widgets.map((widget, i) => ({ key: `llm-${Date.now()}-${i}`, widget, reason: "Chosen by the model from your description", kept: true })));
          setNotes(told);
        }} />
        {notes.length > 0 && (
          <div role="status" aria-label="Left out by the model" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
            <p className="font-medium">Some widgets of the answer were left out:</p>
            <ul className="mt-1 list-disc space-y-0.5 pl-5">
              {notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          </div>
        )}
        {choices.length === 0 ? (
          <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">
            Nothing in the flow&apos;s latest runs can be shown on a dashboard: it sent out no numbers, text, lists, media addresses or statuses.
          </p>
        ) : (
          <ul aria-label="Proposed widgets" className="space-y-3">
            {choices.map((choice) => (
              <ProposalRow key={choice.key} choice={choice} proposals={proposals} seriesOptions={seriesOptions} onChange={(change) => update(choice.key, change)} />
            ))}
          </ul>
        )}
      </div>
      <div className="space-y-2 border-t border-slate-200 px-4 py-3 sm:px-6 dark:border-slate-800">
        {create.error && <ErrorAlert>{create.error.message}</ErrorAlert>}
        <div className="flex flex-wrap items-end gap-x-3 gap-y-2">
          <label className="min-w-48 flex-1 space-y-1 text-sm font-medium">
            <span>Dashboard name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} className={inputClass} />
          </label>
          <div className="flex flex-1 items-center justify-end gap-2 sm:flex-none">
            <span className="mr-auto text-sm text-slate-600 sm:mr-0 dark:text-slate-400">{kept.length === 1 ? "1 widget kept" : `${kept.length} widgets kept`}</span>
            <button type="button" onClick={onCancel} className={secondaryButton}>
              Cancel
            </button>
            <button type="submit" disabled={create.isPending || kept.length === 0} className={`${primaryButton} whitespace-nowrap`}>
              Create dashboard
            </button>
          </div>
        </div>
      </div>
    </form>
  );
}

function ProposalRow({ choice, proposals, seriesOptions, onChange }: { choice: Choice; proposals: readonly WidgetProposal[]; seriesOptions: string[]; onChange: (change: (c: Choice) => Choice) => void }) {
  const { widget } = choice;
  const id = useId();
  const label = widget.title || widget.series.join(", ") || KIND_LABELS[widget.kind];
  const kinds = kindChoices({ widget, proposals });
  const many = widget.series.length > 1;
  return (
    <li
      aria-label={label}
      className={`rounded-lg border p-3 ${choice.kept ? "border-indigo-300 bg-white dark:border-indigo-700 dark:bg-slate-900" : "border-slate-200 bg-slate-50 dark:border-slate-800 dark:bg-slate-950"}`}
    >
      <div className="flex items-start gap-3">
        <input
          id={`${id}-keep`}
          type="checkbox"
          checked={choice.kept}
          onChange={(e) => onChange((c) => ({ ...c, kept: e.target.checked }))}
          aria-label={`Keep ${label}`}
          className="mt-1 size-5 shrink-0 accent-indigo-600"
        />
        <div className="min-w-0 flex-1 space-y-2">
          <label htmlFor={`${id}-keep`} className={`block text-sm ${choice.kept ? "text-slate-700 dark:text-slate-300" : "text-slate-500 dark:text-slate-400"}`}>
            <span className="block font-medium text-slate-900 dark:text-slate-100">
              {label} <span className="font-normal text-slate-500 dark:text-slate-400">· {KIND_LABELS[widget.kind]}</span>
            </span>
            {choice.reason}
          </label>
          {choice.kept && (
            <div className="grid gap-2 sm:grid-cols-[10rem_1fr_1fr]">
              <label className="space-y-0.5 text-xs font-medium text-slate-600 dark:text-slate-400">
                <span>Show as</span>
                <select
                  value={widget.kind}
                  disabled={kinds.length < 2}
                  onChange={(e) => onChange((c) => ({ ...c, widget: asKind({ widget: c.widget, kind: e.target.value as Widget["kind"], proposals }) }))}
                  className={inputClass}
                >
                  {kinds.map((kind) => (
                    <option key={kind} value={kind}>
                      {KIND_LABELS[kind]}
                    </option>
                  ))}
                </select>
              </label>
              <label className="space-y-0.5 text-xs font-medium text-slate-600 dark:text-slate-400">
                <span>Title</span>
                <input value={widget.title} maxLength={120} onChange={(e) => onChange((c) => ({ ...c, widget: { ...c.widget, title: e.target.value } }))} className={inputClass} />
              </label>
              {widget.kind === "abTest" ? (
                <p className="self-end pb-1.5 text-xs text-slate-500 dark:text-slate-400">Experiment “{widget.experiment?.name}”</p>
              ) : many ? (
                <fieldset className="space-y-0.5 text-xs font-medium text-slate-600 dark:text-slate-400">
                  <legend>Series</legend>
                  <div className="max-h-24 space-y-0.5 overflow-y-auto rounded-md border border-slate-300 px-2 py-1 dark:border-slate-700">
                    {seriesOptions
                      .filter((s) => proposals.some((p) => p.widget.series.length > 1 && p.widget.series.includes(s)) || widget.series.includes(s))
                      .map((s) => (
                        <label key={s} className="flex items-center gap-1.5 font-normal text-slate-800 dark:text-slate-200">
                          <input
                            type="checkbox"
                            checked={widget.series.includes(s)}
                            onChange={(e) =>
                              onChange((c) => {
                                const series = e.target.checked ? [...c.widget.series, s] : c.widget.series.filter((x) => x !== s);
                                return series.length ? { ...c, widget: { ...c.widget, series } } : c;
                              })
                            }
                          />
                          <span className="truncate">{s}</span>
                        </label>
                      ))}
                  </div>
                </fieldset>
              ) : (
                <label className="space-y-0.5 text-xs font-medium text-slate-600 dark:text-slate-400">
                  <span>Series</span>
                  <select value={widget.series[0] ?? ""} onChange={(e) => onChange((c) => ({ ...c, widget: { ...c.widget, series: [e.target.value] } }))} className={inputClass}>
                    {seriesOptions.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                </label>
              )}
            </div>
          )}
        </div>
      </div>
    </li>
  );
}

/** When the flow has not succeeded yet: say so, and run it (its live version when active, else its draft). */
function NoRunYet({ flowId, active, onRan }: { flowId: string; active: boolean; onRan: () => void }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const start = useMutation(trpc.run.start.mutationOptions());
  const [runId, setRunId] = useState<string | null>(null);
  const run = useQuery({ ...trpc.run.get.queryOptions({ workspaceId: workspace.id, runId: runId ?? "" }), enabled: runId !== null, refetchInterval: (q) => (q.state.data && FINISHED.has(q.state.data.status) ? false : 500) });
  const status = run.data?.status;
  const told = useRef<string | null>(null);
  useEffect(() => {
    if (status !== "succeeded" || told.current === runId) return;
    told.current = runId;
    void queryClient.invalidateQueries({ queryKey: trpc.dashboard.series.queryKey() });
    onRan();
  }, [status, runId, onRan, queryClient, trpc]);
  return (
    <div className="space-y-3 p-4 sm:p-6">
      <p className="text-sm">This flow has no successful run yet, so there is nothing to propose widgets from. Run it once, or send its trigger some data, then the proposals appear here.</p>
      {start.error && <ErrorAlert>{start.error.message}</ErrorAlert>}
      {status && FINISHED.has(status) && status !== "succeeded" && <ErrorAlert>The run {status}. Open the flow to see why, fix it and run it again.</ErrorAlert>}
      <div className="flex flex-wrap justify-end gap-2">
        <Link href={`/w/${workspace.slug}/flows/${flowId}`} className={secondaryButton}>
          Open the flow
        </Link>
        {canOperate(workspace) && (
          <button
            type="button"
            disabled={start.isPending || (runId !== null && !(status && FINISHED.has(status)))}
            onClick={() => start.mutate({ workspaceId: workspace.id, flowId, source: active ? "active" : "draft" }, { onSuccess: (r) => setRunId(r.runId) })}
            className={primaryButton}
          >
            {runId !== null && !(status && FINISHED.has(status)) ? "Running…" : "Run the flow now"}
          </button>
        )}
      </div>
    </div>
  );
}

/** "Describe the dashboard you want", offered when the workspace has an OpenAI or Ollama credential. */
function DescribeLayout({ flowId, onLaidOut }: { flowId: string; onLaidOut: (widgets: Widget[], notes: string[]) => void }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const credentials = useQuery(trpc.credential.list.queryOptions({ workspaceId: workspace.id }));
  const usable = (credentials.data ?? []).filter((c) => LLM_TYPES.has(c.type));
  const [credentialId, setCredentialId] = useState("");
  const [model, setModel] = useState("");
  const [description, setDescription] = useState("");
  const layout = useMutation(trpc.dashboardProposal.layout.mutationOptions());
  const picked = usable.find((c) => c.id === credentialId) ?? usable[0];
  if (!picked) return null;

  return (
    <details className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
      <summary className="cursor-pointer text-sm font-medium">Describe the dashboard you want</summary>
      <div className="mt-3 space-y-2">
        <label className="block space-y-1 text-sm font-medium">
          <span>Description</span>
          <textarea
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={LLM_LAYOUT_LIMITS.description}
            rows={3}
            placeholder="The order count large at the top, then the latest orders as a table…"
            className={inputClass}
          />
        </label>
        <div className="grid gap-2 sm:grid-cols-2">
          <label className="block space-y-1 text-sm font-medium">
            <span>Language model credential</span>
            <select value={picked.id} onChange={(e) => setCredentialId(e.target.value)} className={inputClass}>
              {usable.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label className="block space-y-1 text-sm font-medium">
            <span>Model</span>
            <input value={model} onChange={(e) => setModel(e.target.value)} placeholder={DEFAULT_MODEL[picked.type]} maxLength={200} className={inputClass} />
          </label>
        </div>
        {layout.error && <ErrorAlert>{layout.error.message}</ErrorAlert>}
        <div className="flex justify-end">
          <button
            type="button"
            disabled={layout.isPending || !description.trim()}
            onClick={() =>
              layout.mutate(
                { workspaceId: workspace.id, flowId, credentialId: picked.id, model: model.trim() || DEFAULT_MODEL[picked.type] || "", description },
                { onSuccess: (result) => onLaidOut(result.widgets, result.notes) },
              )
            }
            className={secondaryButton}
          >
            {layout.isPending ? "Asking the model…" : "Lay out from the description"}
          </button>
        </div>
      </div>
    </details>
  );
}
