import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../_kit/define-node";
import { NodeConfigError } from "../_kit/errors";
import { runNode } from "../../runner/node-testing";
import { nextFireTimes, scheduleConfig, scheduleNode } from "./schedule.node";

async function refusal(config: Record<string, unknown>): Promise<Error> {
  const err = await runNode(scheduleNode, { config }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeConfigError);
  return err as Error;
}

describe("core.schedule", () => {
  it("refuses invalid cron expressions saying, in words, which field is wrong and what it takes", async () => {
    const said: Record<string, string> = {
      "61 * * * *": 'The minute field: "61" is out of range; it takes 0–59',
      "hello": "It has 1 field; write five (minute hour day month weekday)",
      "0 25 * * *": 'The hour field: "25" is out of range; it takes 0–23',
      "0 8 * * eve": 'The weekday field: "eve" is not a weekday; it takes 0–7 (Sunday is 0 or 7) or SUN–SAT',
      "0 0 31 2 *": "This is not a schedule that can be read",
      "* * * * * * *": "It has 7 fields",
    };
    for (const [cron, words] of Object.entries(said)) {
      const err = await refusal({ cron });
      expect(err.message, cron).toContain(`Node "Schedule" is not set up correctly: Cron expression: ${words}`);
      expect(err.message, cron).not.toMatch(/alias|Validation error|got value|Invalid/);
    }
  });

  it("asks for an expression when there is none, once", async () => {
    expect((await refusal({ cron: "   " })).message).toBe('Node "Schedule" is not set up correctly: Cron expression is required, such as "*/5 * * * *" (every five minutes)');
  });

  it("refuses a time zone that is not an IANA name", async () => {
    expect((await refusal({ cron: "0 8 * * *", timezone: "Mars/Olympus" })).message).toContain('Time zone must be an IANA time zone such as "Europe/Warsaw"');
  });

  it("accepts five fields, six with seconds, and trims the expression", () => {
    expect(scheduleConfig.parse({ cron: " */5 * * * * " })).toEqual({ cron: "*/5 * * * *" });
    expect(scheduleConfig.safeParse({ cron: "30 0 8 * * 1-5", timezone: "America/New_York" }).success).toBe(true);
  });

  it("fires at local time in its time zone, following daylight saving", () => {
    const warsaw = { cron: "0 8 * * *", timezone: "Europe/Warsaw" };
    expect(nextFireTimes(warsaw, 2, new Date("2025-01-15T12:00:00Z")).map((d) => d.toISOString())).toEqual([
      "2025-01-16T07:00:00.000Z",
      "2025-01-17T07:00:00.000Z",
    ]);
    // Summer time starts on 30 March 2025: 08:00 in Warsaw is then 06:00 UTC.
    expect(nextFireTimes(warsaw, 3, new Date("2025-03-28T12:00:00Z")).map((d) => d.toISOString())).toEqual([
      "2025-03-29T07:00:00.000Z",
      "2025-03-30T06:00:00.000Z",
      "2025-03-31T06:00:00.000Z",
    ]);
  });

  it("uses UTC without a time zone, and counts from the given moment", () => {
    expect(nextFireTimes({ cron: "*/15 * * * *" }, 3, new Date("2025-06-01T10:07:00Z")).map((d) => d.toISOString())).toEqual([
      "2025-06-01T10:15:00.000Z",
      "2025-06-01T10:30:00.000Z",
      "2025-06-01T10:45:00.000Z",
    ]);
  });

  it("passes on the item it was fired with, or says when it fired", async () => {
    const fired = [{ json: { scheduledFor: "2025-01-16T07:00:00.000Z", firedAt: "2025-01-16T07:00:00.120Z" } }];
    expect((await runNode(scheduleNode, { config: { cron: "0 8 * * *" }, input: fired })).items).toEqual(fired);
    const [item] = (await runNode(scheduleNode, { config: { cron: "0 8 * * *" } })).items;
    expect(Number.isNaN(Date.parse(String(item!.json.firedAt)))).toBe(false);
  });

  it("is a schedule trigger with a cron widget", () => {
    expect(scheduleNode.trigger).toEqual({ kind: "schedule" });
    expect(scheduleNode.inputsFor({ cron: "* * * * *" })).toEqual([]);
    const schema = configJsonSchema(scheduleNode) as { properties: Record<string, { ui?: unknown }> };
    expect(schema.properties.cron?.ui).toEqual({ widget: "cron", placeholder: "0 8 * * 1-5" });
  });
});
