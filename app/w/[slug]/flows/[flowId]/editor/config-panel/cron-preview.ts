import { CronExpressionParser } from "cron-parser";

/** The next times a cron expression fires in a time zone, or why it cannot be read. */
export function nextFires({ cron, timezone, count = 3, from = new Date() }: { cron: string; timezone: string; count?: number; from?: Date }): { times: Date[] } | { error: string } {
  if (!cron.trim()) return { times: [] };
  try {
    const expression = CronExpressionParser.parse(cron.trim(), { tz: timezone, currentDate: from });
    return { times: expression.take(count).map((d) => d.toDate()) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** "Mon, Nov 24, 08:00" in the schedule's own time zone. */
export function formatFire(date: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone: timezone, weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(date);
}
