import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { cronProblemInWords } from "../_core/cron-words";
import { isTimeZone } from "../_core/flow-document";
import { defineNode, ui } from "../_kit/define-node";

/** The parser decides; the words say which field is wrong and what it takes, not the parser's own message. */
function cronProblem(expression: string, tz: string | undefined): string | null {
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return cronProblemInWords(expression);
  try {
    CronExpressionParser.parse(expression, { tz: tz || "UTC" });
    return null;
  } catch {
    return cronProblemInWords(expression);
  }
}

export const scheduleConfig = z
  .object({
    cron: z
      .string()
      .trim()
      .min(1, "is required, such as \"*/5 * * * *\" (every five minutes)")
      .meta({ title: "Cron expression", description: "Five fields (minute hour day month weekday), or six with seconds first.", ...ui({ widget: "cron", placeholder: "0 8 * * 1-5" }) }),
    timezone: z
      .string()
      .refine(isTimeZone, "must be an IANA time zone such as \"Europe/Warsaw\"")
      .optional()
      .meta({ title: "Time zone", description: "Defaults to the flow's time zone." }),
  })
  .superRefine((config, ctx) => {
    // An empty expression is already reported as required.
    const problem = config.cron ? cronProblem(config.cron, config.timezone) : null;
    if (problem) ctx.addIssue({ code: "custom", path: ["cron"], message: problem });
  });

/** The next times a schedule fires, for the editor's preview and the in-process scheduler. */
export function nextFireTimes(config: { cron: string; timezone?: string }, count: number, from = new Date()): Date[] {
  const interval = CronExpressionParser.parse(config.cron, { tz: config.timezone || "UTC", currentDate: from });
  return interval.take(count).map((d) => d.toDate());
}

/** Starts a run on a cron schedule in a time zone; the item says when it was due. */
export const scheduleNode = defineNode({
  type: "core.schedule",
  version: 1,
  name: "Schedule",
  description: "Starts the flow on a cron schedule, in a time zone.",
  category: "trigger",
  icon: "clock",
  trigger: { kind: "schedule" },
  literalFields: ["cron", "timezone"],
  config: scheduleConfig,
  async execute({ input }) {
    return input.length ? input : [{ json: { firedAt: new Date().toISOString() } }];
  },
});
