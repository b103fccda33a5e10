import { z } from "zod";
import type { RunStatus } from "./run-types";

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
/** How long a workspace may keep its series' points, in days (Workspace.seriesRetentionDays). */
export const SERIES_RETENTION_DAYS = { min: 1, max: 3650 } as const;

/** A workspace's series retention as a person sets it: whole days within the bounds. */
export const seriesRetentionDays = z
  .number({ error: "Keep points for a number of days" })
  .int("Keep points for a whole number of days")
  .min(SERIES_RETENTION_DAYS.min, `Keep points for at least ${SERIES_RETENTION_DAYS.min} day`)
  .max(SERIES_RETENTION_DAYS.max, `Keep points for at most ${SERIES_RETENTION_DAYS.max} days (10 years)`);

/** The name of a series of a workspace ("kitchen temperature", "orders/hour"): trimmed, short, plain characters. */
export const seriesName = z
  .string()
  .trim()
  .min(1, "A series needs a name")
  .max(MAX_SERIES_NAME_LENGTH, `Keep a series name under ${MAX_SERIES_NAME_LENGTH} characters`)
  .regex(/^[\p{L}\p{N} ._\-/]+$/u, "A series name may hold letters, digits, spaces and . _ - / only");

export const widgetKinds = ["stat", "timeseries", "table", "text", "status", "bar", "media", "abTest", "weather", "button", "form", "switch", "slider", "voice"] as const;
export type WidgetKind = (typeof widgetKinds)[number];

/** Widgets a person acts through: each starts its flow with what they entered, through the same run path as Run. */
export const controlKinds = ["button", "form", "switch", "slider", "voice"] as const satisfies readonly WidgetKind[];
export type ControlKind = (typeof controlKinds)[number];
export const isControlKind = (kind: WidgetKind): kind is ControlKind => (controlKinds as readonly WidgetKind[]).includes(kind);

export const MAX_FORM_FIELDS = 20;

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
  button: { w: 3, h: 2 },
  form: { w: 4, h: 5 },
  switch: { w: 3, h: 2 },
  slider: { w: 4, h: 2 },
  voice: { w: 4, h: 4 },
};

/** Where a widget sits on the dashboard's grid of 12 columns, in grid cells. */
export const widgetLayout = z.object({
  x: z.int().min(0, "A widget's column cannot be negative").max(GRID_COLUMNS - 1, `A widget starts within the ${GRID_COLUMNS} columns`),
  y: z.int().min(0, "A widget's row cannot be negative").max(10_000, "A widget's row is too far down"),
  w: z.int().min(1, "A widget is at least one column wide").max(GRID_COLUMNS, `A widget is at most ${GRID_COLUMNS} columns wide`),
  h: z.int().min(1, "A widget is at least one row high").max(MAX_WIDGET_ROWS, `A widget is at most ${MAX_WIDGET_ROWS} rows high`),
});

const fieldName = z
  .string()
  .trim()
  .min(1, "A form field needs a name")
  .max(64, "Keep a form field name under 64 characters")
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "A form field name starts with a letter or _ and holds letters, digits and _ only");

/** One field of a form widget, in the words of JSON Schema: a string, number, integer or boolean, or one of a list. */
export const formField = z.object({
  type: z.enum(["string", "number", "integer", "boolean"], { error: "A form field is a string, number, integer or boolean" }),
  title: z.string().trim().max(120, "Keep a field title under 120 characters").optional(),
  description: z.string().trim().max(500, "Keep a field description under 500 characters").optional(),
  enum: z.array(z.union([z.string().max(200), z.number()])).min(1, "A list of choices needs at least one").max(50, "Offer at most 50 choices").optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  minLength: z.int().min(0).max(10_000).optional(),
  maxLength: z.int().min(0).max(10_000, "A text field holds at most 10000 characters").optional(),
  format: z.enum(["email", "uri", "date", "date-time", "textarea"], { error: "A field's format is email, uri, date, date-time or textarea" }).optional(),
  default: z.union([z.string().max(10_000), z.number(), z.boolean()]).optional(),
});
export type FormField = z.infer<typeof formField>;

/** A form widget's fields: a JSON Schema object of flat fields, checked in the browser and again on the server. */
export const formSchema = z
  .object({
    type: z.literal("object", { error: "A form's schema is an object" }),
    properties: z
      .record(fieldName, formField)
      .refine((p) => Object.keys(p).length >= 1, "A form needs at least one field")
      .refine((p) => Object.keys(p).length <= MAX_FORM_FIELDS, `A form holds at most ${MAX_FORM_FIELDS} fields`),
    required: z.array(fieldName).max(MAX_FORM_FIELDS).optional(),
    /** The fields in the order they are shown: stored JSON keeps no order of an object's keys. */
    order: z.array(fieldName).max(MAX_FORM_FIELDS).optional(),
  })
  .refine((s) => (s.required ?? []).every((name) => name in s.properties), { message: "Every required field must be one of the form's fields", path: ["required"] })
  .refine((s) => (s.order ?? []).every((name) => name in s.properties), { message: "Every field in the order must be one of the form's fields", path: ["order"] });
export type FormSchema = z.infer<typeof formSchema>;

/** A form's field names in the order they are shown: its `order`, then any field it leaves out. */
export function formFieldNames(form: FormSchema): string[] {
  const names = Object.keys(form.properties);
  const ordered = (form.order ?? []).filter((name, i, all) => names.includes(name) && all.indexOf(name) === i);
  return [...ordered, ...names.filter((name) => !ordered.includes(name))];
}

/** What a control widget starts: a flow of the same workspace, and whether a shared link may start it too. */
export const widgetAction = z.object({
  flowId: z.string().trim().min(1, "A control widget names the flow it starts").max(64),
  /** A read-only shared link never starts a flow unless the owner turned this on for this widget. */
  shared: z.boolean().default(false),
  /** For buttons: a label on the button (the title is used when empty). */
  label: z.string().trim().max(60, "Keep a button label under 60 characters").optional(),
});
export type WidgetAction = z.infer<typeof widgetAction>;

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
  /** For control widgets (button, form, switch, slider, voice): the flow they start. */
  action: widgetAction.optional(),
  /** For form widgets: the fields to fill in. */
  form: formSchema.optional(),
  /** For sliders: the range and step of the value sent. */
  range: z
    .object({ min: z.number(), max: z.number(), step: z.number().positive("A slider's step is above 0") })
    .refine((r) => r.min < r.max, { message: "A slider's minimum is below its maximum", path: ["max"] })
    .optional(),
  layout: widgetLayout,
})
  .refine((w) => w.kind !== "abTest" || w.experiment, { message: "An A/B widget needs the experiment it compares", path: ["experiment"] })
  .refine((w) => !isControlKind(w.kind) || w.action, { message: "A control widget needs the flow it starts", path: ["action"] })
  .refine((w) => w.kind !== "form" || w.form, { message: "A form widget needs its fields", path: ["form"] });
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

/** How long acting through a control widget waits for its run to finish before answering with the run still going. */
export const WIDGET_ACT_WAIT_MS = 15_000;
/** The most of a run's output, as JSON text, that a control widget is answered with. */
export const WIDGET_OUTPUT_MAX_CHARS = 16_000;

/** What acting through a control widget answers: the run it started and, when it finished in time, its output. */
export interface WidgetActResult {
  runId: string;
  status: RunStatus;
  /** The JSON of the items the run ended with: the one item's, or a list of them. */
  output?: unknown;
  /** The output was longer than WIDGET_OUTPUT_MAX_CHARS: `output` holds the start of its JSON text. */
  outputTruncated?: boolean;
  /** Why the run failed. */
  error?: string;
}
