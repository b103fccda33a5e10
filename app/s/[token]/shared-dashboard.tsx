"use client";

import { useQuery } from "@tanstack/react-query";
import type { CSSProperties } from "react";
import { DEFAULT_ACCENT, textOnAccent, type SharedDashboard } from "@/nodes/_core/dashboard-share";
import type { Widget } from "@/nodes/_core/dashboard";
import { ErrorAlert } from "@/app/_components/error-alert";
import { KIND_LABELS } from "@/app/w/[slug]/dashboards/widget-values";
import { DashboardGrid } from "@/app/w/[slug]/dashboards/[dashboardId]/dashboard-grid";
import { LiveBadge } from "@/app/w/[slug]/dashboards/[dashboardId]/live-badge";
import { TimeRangePicker } from "@/app/w/[slug]/dashboards/[dashboardId]/time-range-picker";
import { DashboardSourceProvider, type DashboardSource } from "@/app/w/[slug]/dashboards/[dashboardId]/dashboard-source";
import { useDashboardPoints } from "@/app/w/[slug]/dashboards/[dashboardId]/use-dashboard-points";
import { WidgetBody, type WidgetData } from "@/app/w/[slug]/dashboards/[dashboardId]/widget-views";
import { SHARE_GONE_MESSAGE } from "./share-gone";

/** How often an open shared page checks its link still works and picks up the owner's changes to the dashboard. */
const RECHECK_MS = 60_000;

class ShareGone extends Error {}

async function readShared(token: string, signal: AbortSignal): Promise<SharedDashboard> {
  const response = await fetch(`/api/share/${encodeURIComponent(token)}/dashboard`, { signal, cache: "no-store" });
  if (response.status === 404) throw new ShareGone(SHARE_GONE_MESSAGE);
  const body = (await response.json().catch(() => null)) as (SharedDashboard & { error?: string }) | null;
  if (!response.ok || !body) throw new Error(body?.error ?? `The shared dashboard answered ${response.status}; reload the page.`);
  return body;
}

/** A shared dashboard: its widgets read-only, live, under the workspace's name, logo and accent colour. */
export function SharedDashboardView({ token, initial }: { token: string; initial: SharedDashboard }) {
  const shared = useQuery({
    queryKey: ["share", token, "dashboard"],
    queryFn: ({ signal }) => readShared(token, signal),
    initialData: initial,
    refetchInterval: RECHECK_MS,
    retry: (failures, error) => !(error instanceof ShareGone) && failures < 2,
  });
  const { dashboard, branding } = shared.data;
  const source: DashboardSource = { via: "share", token, dashboardId: dashboard.id, canRun: false };
  const widgets = dashboard.widgets;
  const series = widgets.flatMap((w) => w.series);
  const points = useDashboardPoints({ source, series, savedSeries: series });
  const accent = branding.accent ?? DEFAULT_ACCENT;
  const style = { "--share-accent": accent, "--share-on-accent": textOnAccent(accent) } as CSSProperties;
  const gone = shared.error instanceof ShareGone;

  return (
    <div style={style} className="min-h-screen">
      <header className="border-t-4 border-[var(--share-accent)] bg-white dark:bg-slate-900">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <div className="flex min-w-0 items-center gap-3">
            {branding.logo && (
              // A workspace's own logo, from its address or as uploaded: not an image Next.js could optimise.
              // eslint-disable-next-line @next/next/no-img-element
              <img src={branding.logo} alt={`${branding.name} logo`} referrerPolicy="no-referrer" className="h-8 w-auto max-w-32 object-contain" />
            )}
            <div className="min-w-0">
              <p className="truncate text-xs font-medium text-slate-600 dark:text-slate-400">{branding.name}</p>
              <h1 className="truncate text-lg font-semibold">{dashboard.name}</h1>
            </div>
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <LiveBadge state={points.live} />
            <TimeRangePicker range={points.range} onChange={points.chooseRange} />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl space-y-4 px-4 py-4">
        {dashboard.description && <p className="text-sm text-slate-600 dark:text-slate-400">{dashboard.description}</p>}
        {gone ? (
          <p role="alert" className="rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
            {SHARE_GONE_MESSAGE}
          </p>
        ) : (
          <DashboardSourceProvider value={source}>
            {points.error && <ErrorAlert>{points.error}</ErrorAlert>}
            {widgets.length === 0 ? (
              <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">This dashboard has no widgets yet.</p>
            ) : (
              <DashboardGrid widgets={widgets} editable={false} onLayout={() => {}} render={(widget) => <SharedWidget widget={widget} data={points.data} />} />
            )}
          </DashboardSourceProvider>
        )}
      </main>
    </div>
  );
}

function SharedWidget({ widget, data }: { widget: Widget; data: WidgetData }) {
  const title = widget.title || widget.series.join(", ") || KIND_LABELS[widget.kind];
  return (
    <section aria-label={title} className="flex h-full flex-col overflow-hidden rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <h2 className="truncate px-3 pt-2 text-sm font-medium text-slate-700 dark:text-slate-300" title={title}>
        {title}
      </h2>
      <div className="min-h-0 flex-1">
        <WidgetBody widget={widget} data={data} />
      </div>
    </section>
  );
}
