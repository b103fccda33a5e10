import { CronExpressionParser } from "cron-parser";
import { cronProblemInWords } from "@/nodes/_core/cron-words";

/** The next times a cron expression fires in a time zone, or why it cannot be read, in words. */
export function nextFires({ cron, timezone, count = 3, from = new Date() }: { cron: string; timezone: string; count?: number; from?: Date }): { times: Date[] } | { error: string } {
  if (!cron.trim()) return { times: [] };
  try {
    const expression = CronExpressionParser.parse(cron.trim(), { tz: timezone, currentDate: from });
    return { times: expression.take(count).map((d) => d.toDate()) };
  } catch {
    return { error: cronProblemInWords(cron) };
  }
}

/** "Mon 24 Nov 2025, 08:00" in a time zone (the person's own, for the preview). */
export function formatFire(date: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone: timezone, weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(date);
}
