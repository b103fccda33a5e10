import { RUN_STATUSES, type RunStatus } from "@/nodes/_core/run-types";

/** The runs page's filters as they stand in its URL (`?status=failed&flow=…&trigger=webhook&from=2026-12-01&to=2026-12-04`), so a view can be shared. */
export interface RunFilters {
  status?: RunStatus;
  flow?: string;
  trigger?: string;
  /** First day shown (YYYY-MM-DD, the viewer's time zone), inclusive. */
  from?: string;
  /** Last day shown, inclusive. */
  to?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (value: string) => DAY.test(value) && !Number.isNaN(new Date(`${value}T00:00`).getTime());

/** The filters of a URL's query; anything malformed is left out rather than refused. */
export function parseRunFilters(query: Record<string, string | string[] | undefined>): RunFilters {
  const one = (key: string) => {
    const value = query[key];
    const text = Array.isArray(value) ? value[0] : value;
    return text && text.length <= 200 ? text : undefined;
  };
  const status = one("status");
  const from = one("from");
  const to = one("to");
  return {
    ...(status && (RUN_STATUSES as readonly string[]).includes(status) ? { status: status as RunStatus } : {}),
    ...(one("flow") ? { flow: one("flow") } : {}),
    ...(one("trigger") ? { trigger: one("trigger") } : {}),
    ...(from && isDay(from) ? { from } : {}),
    ...(to && isDay(to) ? { to } : {}),
  };
}

/** The query string of these filters, in a fixed order; empty when nothing is filtered. */
export function runFiltersQuery(filters: RunFilters): string {
  const params = new URLSearchParams();
  for (const key of ["status", "flow", "trigger", "from", "to"] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The filters as `run.list` takes them: days become the start of the first and the start of the day after the last. */
export function runListFilter(filters: RunFilters): { flowId?: string; status?: RunStatus; trigger?: string; from?: Date; to?: Date } {
  const dayAfter = (day: string) => {
    const date = new Date(`${day}T00:00`);
    date.setDate(date.getDate() + 1);
    return date;
  };
  return {
    ...(filters.flow ? { flowId: filters.flow } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.trigger ? { trigger: filters.trigger } : {}),
    ...(filters.from ? { from: new Date(`${filters.from}T00:00`) } : {}),
    ...(filters.to ? { to: dayAfter(filters.to) } : {}),
  };
}
