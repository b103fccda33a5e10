import { describe, expect, it } from "vitest";
import { bucketWidthMs, dashboardWidgetsSchema, seriesName, type Widget } from "./dashboard";

const stat: Widget = { id: "a", kind: "stat", title: "Temperature", series: ["kitchen temperature"], layout: { x: 0, y: 0, w: 3, h: 2 } };

describe("series names", () => {
  it("trims and keeps letters, digits, spaces and . _ - /", () => {
    expect(seriesName.parse("  orders/hour_v2.eu-west ")).toBe("orders/hour_v2.eu-west");
    expect(seriesName.parse("Température")).toBe("Température");
  });

  it("says what is wrong with a name", () => {
    expect(seriesName.safeParse("  ").error?.issues[0]?.message).toBe("A series needs a name");
    expect(seriesName.safeParse("a;drop").error?.issues[0]?.message).toBe("A series name may hold letters, digits, spaces and . _ - / only");
    expect(seriesName.safeParse("x".repeat(121)).error?.issues[0]?.message).toBe("Keep a series name under 120 characters");
  });
});

describe("dashboard widgets", () => {
  it("accepts widgets on the 12-column grid", () => {
    expect(dashboardWidgetsSchema.parse([stat, { ...stat, id: "b", kind: "timeseries", layout: { x: 3, y: 0, w: 9, h: 4 } }])).toHaveLength(2);
  });

  it("refuses unknown kinds, layouts off the grid, repeated ids and too many widgets", () => {
    expect(dashboardWidgetsSchema.safeParse([{ ...stat, kind: "pie" }]).success).toBe(false);
    expect(dashboardWidgetsSchema.safeParse([{ ...stat, layout: { x: 0, y: 0, w: 13, h: 2 } }]).error?.issues[0]?.message).toBe(
      "A widget is at most 12 columns wide",
    );
    expect(dashboardWidgetsSchema.safeParse([stat, stat]).error?.issues[0]?.message).toBe("Each widget of a dashboard needs its own id");
    const many = Array.from({ length: 51 }, (_, i) => ({ ...stat, id: `w${i}` }));
    expect(dashboardWidgetsSchema.safeParse(many).error?.issues[0]?.message).toBe("A dashboard holds at most 50 widgets");
  });
});

describe("bucketWidthMs", () => {
  it("covers the range with at most maxPoints buckets of whole seconds", () => {
    const day = 86_400_000;
    const width = bucketWidthMs({ fromMs: 0, toMs: day, maxPoints: 1000 });
    expect(width % 1000).toBe(0);
    expect(Math.ceil(day / width)).toBeLessThanOrEqual(1000);
    expect(bucketWidthMs({ fromMs: 0, toMs: 10, maxPoints: 1000 })).toBe(1000);
  });
});
