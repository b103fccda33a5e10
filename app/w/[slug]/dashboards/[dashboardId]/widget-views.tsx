"use client";

import dynamic from "next/dynamic";
import type { SeriesPointView, Widget } from "@/nodes/_core/dashboard";
import { formatValue, pointNumber, pointValue, statusOf, tableOf, weatherCardOf, type StatusLevel } from "../widget-values";
import { AbTestWidget } from "./ab-test-widget";
import { ButtonWidget, FormWidget, SliderWidget, SwitchWidget, VoiceWidget } from "./control-widgets";
import { MediaPlayer } from "./media-player";

// uPlot and its styles load with the first chart, on dashboard pages only.
const TimeseriesChart = dynamic(() => import("./timeseries-chart"), {
  ssr: false,
  loading: () => <p className="p-2 text-xs text-slate-500 dark:text-slate-400">Loading chart…</p>,
});

export interface WidgetData {
  /** Each series' points in the range, oldest first. */
  points: ReadonlyMap<string, readonly SeriesPointView[]>;
  /** The latest point of each series, even when it is older than the range. */
  last: ReadonlyMap<string, SeriesPointView>;
  /** Each series' unit as its points carry it. */
  units: ReadonlyMap<string, string | null>;
  from: number;
  to: number;
}

const empty: readonly SeriesPointView[] = [];

function NoData({ widget }: { widget: Widget }) {
  return (
    <p className="flex h-full items-center justify-center p-2 text-center text-xs text-slate-500 dark:text-slate-400">
      {widget.series.length === 0 ? "No series chosen" : `No points of ${widget.series.join(", ")} yet`}
    </p>
  );
}

/** A small line of a series' recent numbers, drawn to fill its box. */
function Sparkline({ values }: { values: number[] }) {
  if (values.length < 2) return null;
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low || 1;
  const path = values.map((v, i) => `${(i / (values.length - 1)) * 100},${30 - ((v - low) / span) * 28 - 1}`).join(" ");
  return (
    <svg aria-hidden viewBox="0 0 100 30" preserveAspectRatio="none" className="h-8 w-full text-indigo-500 dark:text-indigo-400">
      <polyline points={path} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

function latestOf(widget: Widget, data: WidgetData): SeriesPointView | undefined {
  const series = widget.series[0];
  if (!series) return undefined;
  return data.points.get(series)?.at(-1) ?? data.last.get(series);
}

function StatView({ widget, data }: { widget: Widget; data: WidgetData }) {
  const latest = latestOf(widget, data);
  if (!latest) return <NoData widget={widget} />;
  const unit = widget.unit ?? data.units.get(widget.series[0]!) ?? "";
  const values = (data.points.get(widget.series[0]!) ?? empty).map((p) => pointNumber(p, widget.field)).filter((v): v is number => v !== null);
  const shown = formatValue(pointValue(latest, widget.field));
  return (
    <div className="flex h-full flex-col justify-between gap-1 px-3 pb-2">
      <p className="min-h-0 truncate text-3xl font-semibold tabular-nums sm:text-4xl" data-testid="stat-value">
        {shown}
        {unit && <span className="ml-1 text-base font-normal text-slate-500 dark:text-slate-400">{unit}</span>}
      </p>
      <Sparkline values={values.slice(-120)} />
      <p className="text-xs text-slate-500 dark:text-slate-400">{new Date(latest.at).toLocaleString()}</p>
    </div>
  );
}

function TimeseriesView({ widget, data }: { widget: Widget; data: WidgetData }) {
  const series = widget.series.map((name) => ({ name, points: (data.points.get(name) ?? empty).map((p) => ({ at: p.at, value: pointNumber(p, widget.field) })) }));
  if (series.every((s) => s.points.length === 0)) return <NoData widget={widget} />;
  const unit = widget.unit ?? data.units.get(widget.series[0]!) ?? undefined;
  const total = series.reduce((sum, s) => sum + s.points.length, 0);
  return (
    <div role="img" aria-label={`${widget.title || widget.series.join(", ")}: ${total} points`} className="h-full px-1 pb-1">
      <TimeseriesChart series={series} unit={unit} from={data.from} to={data.to} />
    </div>
  );
}

function TableView({ widget, data }: { widget: Widget; data: WidgetData }) {
  const points = widget.series[0] ? (data.points.get(widget.series[0]) ?? empty) : empty;
  const latest = latestOf(widget, data);
  const table = tableOf({ points: points.length > 0 ? points : latest ? [latest] : empty, field: widget.field });
  if (table.rows.length === 0) return <NoData widget={widget} />;
  return (
    <div className="h-full overflow-auto">
      <table className="w-full text-sm">
        <thead className="sticky top-0 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800 dark:text-slate-400">
          <tr>
            {table.columns.map((column) => (
              <th key={column} scope="col" className="px-3 py-1.5 font-medium">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {table.rows.map((row, i) => (
            <tr key={i}>
              {table.columns.map((column) => (
                <td key={column} className="max-w-64 truncate px-3 py-1 tabular-nums">
                  {formatValue(row[column])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TextView({ widget, data }: { widget: Widget; data: WidgetData }) {
  const latest = latestOf(widget, data);
  if (!latest) return <NoData widget={widget} />;
  const value = pointValue(latest, widget.field);
  return <p className="h-full overflow-auto whitespace-pre-wrap break-words px-3 pb-2 text-sm">{typeof value === "string" ? value : formatValue(value)}</p>;
}

const LIGHTS: Record<StatusLevel, { dot: string; word: string }> = {
  ok: { dot: "bg-emerald-500 shadow-emerald-500/50", word: "OK" },
  warning: { dot: "bg-amber-400 shadow-amber-400/50", word: "Warning" },
  failing: { dot: "bg-red-500 shadow-red-500/50", word: "Failing" },
  unknown: { dot: "bg-slate-400 shadow-slate-400/50", word: "Unknown" },
};

function StatusView({ widget, data }: { widget: Widget; data: WidgetData }) {
  const latest = latestOf(widget, data);
  if (!latest) return <NoData widget={widget} />;
  const value = pointValue(latest, widget.field);
  const light = LIGHTS[statusOf(value)];
  return (
    <div className="flex h-full items-center gap-3 px-3 pb-2">
      <span aria-hidden className={`size-8 shrink-0 rounded-full shadow-lg ${light.dot}`} />
      <div className="min-w-0">
        <p className="font-semibold">{light.word}</p>
        <p className="truncate text-sm text-slate-600 dark:text-slate-400">{formatValue(value)}</p>
      </div>
    </div>
  );
}

/** The latest number of each series side by side, or one series' recent numbers when it is alone. */
function BarView({ widget, data }: { widget: Widget; data: WidgetData }) {
  const bars =
    widget.series.length > 1
      ? widget.series.map((name) => {
          const latest = data.points.get(name)?.at(-1) ?? data.last.get(name);
          return { label: name, value: latest ? pointNumber(latest, widget.field) : null };
        })
      : (data.points.get(widget.series[0] ?? "") ?? empty).slice(-30).map((p) => ({ label: new Date(p.at).toLocaleTimeString(), value: pointNumber(p, widget.field) }));
  const shown = bars.filter((bar): bar is { label: string; value: number } => bar.value !== null);
  if (shown.length === 0) return <NoData widget={widget} />;
  const high = Math.max(...shown.map((bar) => Math.abs(bar.value)), Number.MIN_VALUE);
  return (
    <div role="img" aria-label={`${widget.title}: ${shown.map((bar) => `${bar.label} ${formatValue(bar.value)}`).join(", ")}`} className="flex h-full items-end gap-1 px-3 pb-2">
      {shown.map((bar, i) => (
        <div key={i} title={`${bar.label}: ${formatValue(bar.value)}${widget.unit ? ` ${widget.unit}` : ""}`} className="flex h-full min-w-0 flex-1 flex-col justify-end">
          <div className="w-full rounded-t-sm bg-indigo-500 dark:bg-indigo-400" style={{ height: `${(Math.abs(bar.value) / high) * 100}%` }} />
        </div>
      ))}
    </div>
  );
}

/** The latest media address of the series, played by its kind; a new address replaces the player. */
function MediaView({ widget, data }: { widget: Widget; data: WidgetData }) {
  const latest = latestOf(widget, data);
  if (!latest) return <NoData widget={widget} />;
  const value = pointValue(latest, widget.field);
  if (typeof value !== "string") return <p className="px-3 pb-2 text-xs text-slate-500 dark:text-slate-400">Not a media address: {formatValue(value)}</p>;
  return <MediaPlayer url={value.trim()} label={widget.title || widget.series.join(", ")} />;
}

const temperature = (value: number | null, unit: string) => (value === null ? "—" : `${formatValue(Math.round(value))}${unit}`);
const weekday = (date: string) => {
  const day = new Date(`${date}T12:00:00`);
  return Number.isNaN(day.getTime()) ? date : day.toLocaleDateString(undefined, { weekday: "short" });
};

/** The weather node's latest forecast: the temperature and conditions now, then each coming day's low and high. */
function WeatherView({ widget, data }: { widget: Widget; data: WidgetData }) {
  const latest = latestOf(widget, data);
  if (!latest) return <NoData widget={widget} />;
  const card = weatherCardOf(pointValue(latest, widget.field));
  if (!card) return <p className="px-3 pb-2 text-xs text-slate-500 dark:text-slate-400">The latest point is not a weather forecast.</p>;
  const unit = card.temperatureUnit;
  return (
    <div className="flex h-full flex-col gap-2 overflow-auto px-3 pb-2">
      <div className="flex items-baseline gap-3">
        <p className="text-4xl font-semibold tabular-nums" data-testid="weather-temperature">
          {temperature(card.temperature, unit)}
        </p>
        <div className="min-w-0 text-sm">
          {card.conditions && <p className="font-medium">{card.conditions}</p>}
          {card.apparent !== null && <p className="text-slate-600 dark:text-slate-400">Feels like {temperature(card.apparent, unit)}</p>}
        </div>
      </div>
      {card.readings.length > 0 && (
        <p className="text-xs text-slate-600 dark:text-slate-400">{card.readings.map((r) => `${r.label} ${formatValue(r.value)}${r.unit === "%" ? "" : " "}${r.unit}`).join(" · ")}</p>
      )}
      {card.days.length > 0 && (
        <ol aria-label="Coming days" className="mt-auto grid grid-flow-col auto-cols-fr gap-1 text-center text-xs">
          {card.days.map((day, i) => (
            <li key={`${i}-${day.date}`} title={day.conditions ?? undefined} className="rounded-md bg-slate-50 px-1 py-1.5 dark:bg-slate-800">
              <p className="font-medium">{weekday(day.date)}</p>
              <p className="tabular-nums">
                <span className="text-slate-500 dark:text-slate-400">{temperature(day.low, "°")}</span> {temperature(day.high, "°")}
              </p>
            </li>
          ))}
        </ol>
      )}
      <p className="text-xs text-slate-500 dark:text-slate-400">
        {[card.place, new Date(latest.at).toLocaleString()].filter(Boolean).join(" · ")}
      </p>
    </div>
  );
}

function AbTestView({ widget }: { widget: Widget }) {
  if (!widget.experiment) return <p className="px-3 pb-2 text-xs text-slate-500 dark:text-slate-400">This widget names no experiment.</p>;
  return <AbTestWidget experiment={widget.experiment} />;
}

const VIEWS: Record<Widget["kind"], (props: { widget: Widget; data: WidgetData }) => React.ReactNode> = {
  stat: StatView,
  timeseries: TimeseriesView,
  table: TableView,
  text: TextView,
  status: StatusView,
  bar: BarView,
  media: MediaView,
  abTest: AbTestView,
  weather: WeatherView,
  button: ButtonWidget,
  form: FormWidget,
  switch: SwitchWidget,
  slider: SliderWidget,
  voice: VoiceWidget,
};

/** What a widget shows, by its kind. */
export function WidgetBody({ widget, data }: { widget: Widget; data: WidgetData }) {
  const View = VIEWS[widget.kind];
  return <View widget={widget} data={data} />;
}
