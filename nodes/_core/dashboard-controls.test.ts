import { describe, expect, it } from "vitest";
import { formFieldNames, formSchema } from "./dashboard";
import { describeInputProblems, formValuesSchema, sliderInput, widgetInputSchema } from "./dashboard-controls";

const form = formSchema.parse({
  type: "object",
  properties: {
    when: { type: "string", title: "When", format: "date-time" },
    site: { type: "string", title: "Web site", format: "uri" },
    count: { type: "number", enum: [1, 2, 3] },
    agree: { type: "boolean", title: "I agree" },
  },
  required: ["agree"],
  order: ["agree", "when"],
});

describe("control widget input", () => {
  it("takes what the browser's controls produce: a local date and time, a web address, a number choice", () => {
    expect(formValuesSchema(form).parse({ when: "2026-01-31T12:00", site: "https://example.com", count: 2, agree: false })).toEqual({
      when: "2026-01-31T12:00",
      site: "https://example.com",
      count: 2,
      agree: false,
    });
  });

  it("names each field it refuses, in the order the form shows them", () => {
    const result = formValuesSchema(form).safeParse({ when: "tomorrow", site: "example", count: 4 });
    expect(result.success).toBe(false);
    expect(describeInputProblems(result.error!, formFieldNames(form))).toBe(
      'Fill in "I agree"; "When" must be a date and time, such as 2026-01-31T12:00; "Web site" must be a web address, such as https://example.com; Choose one of the choices for "count"',
    );
  });

  it("shows the fields in their order, then those the order leaves out", () => {
    expect(formFieldNames(form)).toEqual(["agree", "when", "site", "count"]);
  });

  it("keeps a slider's value on its steps and in its range, and gives voice no input to check", () => {
    const slider = sliderInput({ min: -1, max: 1, step: 0.5 });
    expect(slider.safeParse({ value: -0.5 }).success).toBe(true);
    expect(slider.safeParse({ value: 0.25 }).error?.issues[0]?.message).toBe("The slider moves in steps of 0.5 from -1");
    expect(slider.safeParse({ value: 1.5 }).error?.issues[0]?.message).toBe("The slider's value is at most 1");
    const layout = { x: 0, y: 0, w: 1, h: 1 };
    expect(widgetInputSchema({ id: "v", kind: "voice", title: "", series: [], action: { flowId: "f", shared: false }, layout })).toBeNull();
  });
});
