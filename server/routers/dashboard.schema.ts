import { z } from "zod";
import { dashboardWidgetsSchema, MAX_POINTS, MAX_WIDGET_SERIES, seriesName, WIDGET_ACT_WAIT_MS } from "../../nodes/_core/dashboard";

const workspaceId = z.string().min(1).max(64);
const dashboardId = z.string().min(1).max(64);
const name = z.string().trim().min(1, "Name the dashboard").max(100, "Keep a dashboard name under 100 characters");
const description = z.string().trim().max(1000, "Keep a description under 1000 characters");
const instant = (what: string) => z.iso.datetime({ offset: true, message: `${what} must be an ISO date and time, such as 2026-01-31T12:00:00Z` });

export const dashboardListInput = z.object({ workspaceId });
export const dashboardGetInput = z.object({ workspaceId, dashboardId });
export const dashboardCreateInput = z.object({ workspaceId, name, description: description.optional(), widgets: dashboardWidgetsSchema.optional() });
export const dashboardUpdateInput = z.object({ workspaceId, dashboardId, name: name.optional(), description: description.nullable().optional(), widgets: dashboardWidgetsSchema.optional() });
export const dashboardDeleteInput = dashboardGetInput;
export const dashboardSeriesInput = z.object({ workspaceId });
export const dashboardPointsInput = z
  .object({
    workspaceId,
    series: z.array(seriesName).min(1, "Name at least one series").max(MAX_WIDGET_SERIES, `Ask for at most ${MAX_WIDGET_SERIES} series at a time`),
    from: instant("from"),
    to: instant("to"),
    maxPoints: z.int().min(10, "maxPoints is at least 10").max(MAX_POINTS, `maxPoints is at most ${MAX_POINTS}`).default(500),
  })
  .refine((input) => Date.parse(input.from) < Date.parse(input.to), { message: "from must come before to", path: ["from"] });
const widgetId = z.string().min(1).max(64);
const runId = z.string().min(1).max(64);
/** What a control widget was given: checked against the widget itself by the service. */
export const dashboardActInput = z.object({ workspaceId, dashboardId, widgetId, input: z.unknown().optional() });
export const dashboardActResultInput = z.object({
  workspaceId,
  runId,
  /** How long to wait for the run's end before answering with it still going. */
  waitMs: z.int().min(0).max(WIDGET_ACT_WAIT_MS, `waitMs is at most ${WIDGET_ACT_WAIT_MS}`).default(WIDGET_ACT_WAIT_MS),
});
