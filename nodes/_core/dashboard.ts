import { z } from "zod";

/**
 * Dashboards and the series they show: the stored shape of a dashboard's widgets and the names of series, shared by
 * the server (which checks them), the browser (which draws them) and the nodes that write points.
 */

export const MAX_SERIES_NAME_LENGTH = 120;
export const MAX_WIDGETS = 50;
export const MAX_WIDGET_SERIES = 20;
export const GRID_COLUMNS = 12;
export const MAX_WIDGET_ROWS = 12;
/** A chart draws at most this many points per series; longer ranges are averaged into buckets. */
export const MAX_POINTS = 2000;

/** The name of a series of a workspace ("kitchen temperature", "orders/hour"): trimmed, short, plain characters. */
export const seriesName = z
  .string()
  .trim()
  .min(1, "A series needs a name")
  .max(MAX_SERIES_NAME_LENGTH, `Keep a series name under ${MAX_SERIES_NAME_LENGTH} characters`)
  .regex(/^[\p{L}\p{N} ._\-/]+$/u, "A series name may hold letters, digits, spaces and . _ - / only");

export const widgetKinds = ["stat", "timeseries", "table", "text", "status", "bar", "media", "abTest", "weather"] as const;
export type WidgetKind = (typeof widgetKinds)[number];

/** The size a new widget of a kind starts at on the grid, in cells: added by hand or proposed from a flow. */
export const DEFAULT_WIDGET_SIZE: Record<WidgetKind, { w: number; h: number }> = {
  stat: { w: 3, h: 2 },
  status: { w: 3, h: 2 },
  timeseries: { w: 6, h: 4 },
  bar: { w: 6, h: 4 },
  table: { w: 6, h: 5 },
  text: { w: 6, h: 3 },
  media: { w: 6, h: 5 },
  abTest: { w: 6, h: 5 },
  weather: { w: 6, h: 4 },
};

/** Where a widget sits on the dashboard's grid of 12 columns, in grid cells. */
export const widgetLayout = z.object({
  x: z.int().min(0, "A widget's column cannot be negative").max(GRID_COLUMNS - 1, `A widget starts within the ${GRID_COLUMNS} columns`),
  y: z.int().min(0, "A widget's row cannot be negative").max(10_000, "A widget's row is too far down"),
  w: z.int().min(1, "A widget is at least one column wide").max(GRID_COLUMNS, `A widget is at most ${GRID_COLUMNS} columns wide`),
  h: z.int().min(1, "A widget is at least one row high").max(MAX_WIDGET_ROWS, `A widget is at most ${MAX_WIDGET_ROWS} rows high`),
});

export const widget = z.object({
  id: z.string().trim().min(1, "A widget needs an id").max(64, "Keep a widget id under 64 characters"),
  kind: z.enum(widgetKinds, { error: `A widget's kind is one of ${widgetKinds.join(", ")}` }),
  title: z.string().trim().max(120, "Keep a widget title under 120 characters"),
  series: z.array(seriesName).max(MAX_WIDGET_SERIES, `A widget shows at most ${MAX_WIDGET_SERIES} series`),
  /** For points carrying JSON: the field of `data` the widget shows (a dotted path). */
  field: z.string().trim().max(200, "Keep a field path under 200 characters").optional(),
  unit: z.string().trim().max(20, "Keep a unit under 20 characters").optional(),
  /** For text widgets: the text is markdown, drawn as such. */
  markdown: z.boolean().optional(),
  /** For A/B widgets: the experiment whose variants are compared, named as the flow's A/B split names it. */
  experiment: z
    .object({
      flowId: z.string().trim().min(1, "An A/B widget names the flow of its experiment").max(64),
      name: z.string().trim().min(1, "An A/B widget names its experiment").max(100, "Keep an experiment name under 100 characters"),
    })
    .optional(),
  layout: widgetLayout,
}).refine((w) => w.kind !== "abTest" || w.experiment, { message: "An A/B widget needs the experiment it compares", path: ["experiment"] });
export type Widget = z.infer<typeof widget>;

/** A dashboard's widgets as stored, each id once. */
export const dashboardWidgetsSchema = z
  .array(widget)
  .max(MAX_WIDGETS, `A dashboard holds at most ${MAX_WIDGETS} widgets`)
  .refine((widgets) => new Set(widgets.map((w) => w.id)).size === widgets.length, "Each widget of a dashboard needs its own id");

/** One point of a series as a chart reads it: time in ms; `value` null for points carrying JSON only. */
export interface SeriesPointView {
  at: number;
  value: number | null;
  data?: unknown;
}

/** One series' points over a range, oldest first. */
export interface SeriesPoints {
  series: string;
  points: SeriesPointView[];
}

/** A point as it reaches live subscribers right after it is stored. */
export interface SeriesPointEvent {
  workspaceId: string;
  series: string;
  at: number;
  value: number | null;
  data: unknown;
}

/**
 * The width of the time buckets that keep a range within `maxPoints` points: whole seconds, at least one, so a
 * range of `maxPoints` buckets covers it.
 */
export function bucketWidthMs({ fromMs, toMs, maxPoints }: { fromMs: number; toMs: number; maxPoints: number }): number {
  const span = Math.max(toMs - fromMs, 1);
  return Math.max(1000, Math.ceil(span / Math.max(maxPoints, 1) / 1000) * 1000);
}
