"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type KeyboardEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { Widget } from "@/nodes/_core/dashboard";
import { ghostButton, inputClass, secondaryButton } from "../../credentials/form-controls";
import { canEditDashboards, canOperate, useWorkspace } from "../../workspace-context";
import { KIND_LABELS } from "../widget-values";
import { AddWidgetDialog } from "./add-widget-dialog";
import { DashboardGrid } from "./dashboard-grid";
import { DashboardSourceProvider, type DashboardSource } from "./dashboard-source";
import { ShareDialog } from "./share-dialog";
import { TimeRangePicker } from "./time-range-picker";
import { LiveBadge } from "./live-badge";
import { useDashboardPoints } from "./use-dashboard-points";
import { WidgetBody, type WidgetData } from "./widget-views";

/** One dashboard: its widgets on a grid, fed by the chosen time range and live points; editors arrange them. */
export function DashboardPage({ dashboardId }: { dashboardId: string }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const editable = canEditDashboards(workspace);
  const source: DashboardSource = { via: "member", workspaceId: workspace.id, dashboardId, canRun: canOperate(workspace) };
  const dashboard = useQuery(trpc.dashboard.get.queryOptions({ workspaceId: workspace.id, dashboardId }));
  // Changes show at once and are saved in the order they were made.
  const [edited, setEdited] = useState<Widget[] | null>(null);
  // The widget whose settings are open.
  const [editingId, setEditingId] = useState<string | null>(null);
  const widgets = edited ?? dashboard.data?.widgets ?? [];
  const savedSeries = dashboard.data?.widgets.flatMap((w) => w.series) ?? [];
  const points = useDashboardPoints({ source, series: widgets.flatMap((w) => w.series), savedSeries });
  const update = useMutation(trpc.dashboard.update.mutationOptions({ scope: { id: `dashboard-${dashboardId}` } }));
  const remove = useMutation(trpc.dashboard.delete.mutationOptions());

  function save(next: Widget[]) {
    setEdited(next);
    update.mutate(
      { workspaceId: workspace.id, dashboardId, widgets: next },
      {
        onSuccess: (saved) => {
          queryClient.setQueryData(trpc.dashboard.get.queryKey({ workspaceId: workspace.id, dashboardId }), saved);
          void queryClient.invalidateQueries({ queryKey: trpc.dashboard.list.queryKey() });
        },
      },
    );
  }

  function deleteDashboard() {
    if (!dashboard.data || !window.confirm(`Delete the dashboard ${dashboard.data.name}? Its widgets go with it; the series stay.`)) return;
    remove.mutate(
      { workspaceId: workspace.id, dashboardId },
      {
        onSuccess: async () => {
          await queryClient.invalidateQueries({ queryKey: trpc.dashboard.list.queryKey() });
          router.push(`/w/${workspace.slug}/dashboards`);
        },
      },
    );
  }

  if (dashboard.error) {
    return (
      <div className="space-y-4">
        <ErrorAlert>{dashboard.error.message}</ErrorAlert>
        <Link prefetch={false} href={`/w/${workspace.slug}/dashboards`} className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
          All dashboards
        </Link>
      </div>
    );
  }
  if (!dashboard.data) return <p className="text-sm text-slate-500">Loading…</p>;

  return (
    <DashboardSourceProvider value={source}>
      <div className="space-y-4">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <div className="min-w-0">
            <Link prefetch={false} href={`/w/${workspace.slug}/dashboards`} className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
              Dashboards
            </Link>
            <h1 className="truncate text-2xl font-semibold">{dashboard.data.name}</h1>
            {dashboard.data.description && <p className="text-sm text-slate-600 dark:text-slate-400">{dashboard.data.description}</p>}
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <LiveBadge state={points.live} title={savedSeries.length ? `Live points of ${[...new Set(savedSeries)].join(", ")}` : "No series on this dashboard yet"} />
            <TimeRangePicker range={points.range} onChange={points.chooseRange} />
            {editable && (
              <>
                <AddWidgetDialog widgets={widgets} onAdd={(widget) => save([...widgets, widget])} />
                <AddWidgetDialog
                  widgets={widgets}
                  editing={widgets.find((w) => w.id === editingId) ?? null}
                  onAdd={(changed) => save(widgets.map((w) => (w.id === changed.id ? changed : w)))}
                  onClose={() => setEditingId(null)}
                />
                <ShareDialog dashboardId={dashboardId} dashboardName={dashboard.data.name} />
                <button type="button" onClick={deleteDashboard} disabled={remove.isPending} className={secondaryButton}>
                  Delete
                </button>
              </>
            )}
          </div>
        </div>
        {update.error && <ErrorAlert>Your last change was not saved: {update.error.message}</ErrorAlert>}
        {remove.error && <ErrorAlert>{remove.error.message}</ErrorAlert>}
        {points.error && <ErrorAlert>{points.error}</ErrorAlert>}
        {widgets.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">
            {editable ? "No widgets yet. Add widget picks a series your flows publish and how to show it." : "This dashboard has no widgets yet."}
          </p>
        ) : (
          <DashboardGrid
            widgets={widgets}
            editable={editable}
            onLayout={(layouts) => {
              const next = widgets.map((w) => ({ ...w, layout: layouts.get(w.id) ?? w.layout }));
              if (next.some((w, i) => JSON.stringify(w.layout) !== JSON.stringify(widgets[i]!.layout))) save(next);
            }}
            render={(widget) => (
              <WidgetFrame
                widget={widget}
                data={points.data}
                editable={editable}
                onRename={(title) => save(widgets.map((w) => (w.id === widget.id ? { ...w, title } : w)))}
                onRemove={() => save(widgets.filter((w) => w.id !== widget.id))}
                onSettings={() => setEditingId(widget.id)}
              />
            )}
          />
        )}
      </div>
    </DashboardSourceProvider>
  );
}

/** A widget's card: its title bar (the handle editors drag it by, with rename and remove) over what it shows. */
function WidgetFrame({
  widget,
  data,
  editable,
  onRename,
  onRemove,
  onSettings,
}: {
  widget: Widget;
  data: WidgetData;
  editable: boolean;
  onRename: (title: string) => void;
  onRemove: () => void;
  onSettings: () => void;
}) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const title = widget.title || widget.series.join(", ") || KIND_LABELS[widget.kind];
  const finish = () => {
    if (renaming !== null && renaming.trim() !== widget.title) onRename(renaming.trim());
    setRenaming(null);
  };
  const keys = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") finish();
    if (event.key === "Escape") setRenaming(null);
  };
  return (
    <section aria-label={title} className="flex h-full flex-col overflow-hidden rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className={`widget-drag-handle flex min-h-9 items-center gap-1 px-3 pt-1.5 ${editable ? "cursor-move" : ""}`}>
        {renaming === null ? (
          <h2 className="min-w-0 flex-1 truncate text-sm font-medium text-slate-700 dark:text-slate-300" title={title}>
            {title}
          </h2>
        ) : (
          <input
            aria-label="Widget title"
            value={renaming}
            onChange={(e) => setRenaming(e.target.value)}
            onKeyDown={keys}
            onBlur={finish}
            maxLength={120}
            autoFocus
            className={`${inputClass} min-w-0 flex-1 py-0.5`}
          />
        )}
        {editable && renaming === null && (
          <>
            <button type="button" aria-label={`Rename ${title}`} title="Rename" onClick={() => setRenaming(widget.title)} className={`${ghostButton} px-1.5 text-xs`}>
              ✎
            </button>
            <button type="button" aria-label={`Settings of ${title}`} title="Settings" onClick={onSettings} className={`${ghostButton} px-1.5 text-xs`}>
              ⚙
            </button>
            <button type="button" aria-label={`Remove ${title}`} title="Remove" onClick={onRemove} className={`${ghostButton} px-1.5 text-xs`}>
              ✕
            </button>
          </>
        )}
      </div>
      <div className="min-h-0 flex-1">
        <WidgetBody widget={widget} data={data} />
      </div>
    </section>
  );
}
