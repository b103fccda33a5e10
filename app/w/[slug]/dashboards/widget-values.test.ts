import { describe, expect, it } from "vitest";
import type { Widget } from "@/nodes/_core/dashboard";
import {
  checkCustomRange,
  DEFAULT_TIME_RANGE,
  describeRange,
  fieldOf,
  formatValue,
  fromLocalInput,
  placeNew,
  pointNumber,
  rangeFromQuery,
  rangeToQuery,
  rangeWindow,
  readingOrder,
  statusOf,
  tableOf,
  toLocalInput,
  weatherCardOf,
  withLivePoint,
} from "./widget-values";

const widget = (id: string, layout: Widget["layout"]): Widget => ({ id, kind: "stat", title: id, series: ["s"], layout });

describe("dashboard widget values", () => {
  it("places a new widget below every other and stacks widgets in reading order", () => {
    const widgets = [widget("b", { x: 6, y: 0, w: 6, h: 4 }), widget("a", { x: 0, y: 0, w: 3, h: 2 }), widget("c", { x: 0, y: 2, w: 3, h: 2 })];
    expect(placeNew({ widgets, kind: "timeseries" })).toEqual({ x: 0, y: 4, w: 6, h: 4 });
    expect(placeNew({ widgets: [], kind: "stat" })).toEqual({ x: 0, y: 0, w: 3, h: 2 });
    expect(readingOrder(widgets).map((w) => w.id)).toEqual(["a", "b", "c"]);
  });

  it("reads a dotted field of a point's JSON, and a number for charts", () => {
    expect(fieldOf({ reading: { celsius: 21.5 } }, "reading.celsius")).toBe(21.5);
    expect(fieldOf({ items: [{ name: "x" }] }, "items.0.name")).toBe("x");
    expect(fieldOf("text", "a")).toBeUndefined();
    expect(pointNumber({ at: 1, value: 3 }, undefined)).toBe(3);
    expect(pointNumber({ at: 1, value: null, data: { t: 4 } }, "t")).toBe(4);
    expect(pointNumber({ at: 1, value: null, data: "hot" }, undefined)).toBeNull();
  });

  it("formats values and tells a status light's colour", () => {
    expect(formatValue(1234.567)).toBe("1,234.57");
    expect(formatValue(2_500_000)).toBe("2.5M");
    expect(formatValue(null)).toBe("—");
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(statusOf("Online")).toBe("ok");
    expect(statusOf("degraded")).toBe("warning");
    expect(statusOf(false)).toBe("failing");
    expect(statusOf(0)).toBe("failing");
    expect(statusOf("maybe")).toBe("unknown");
  });

  it("makes a table of the latest list of records, or of the points themselves", () => {
    const records = tableOf({ points: [{ at: 1, value: null, data: { rows: [{ name: "a", n: 1 }, { name: "b", extra: true }] } }], field: "rows" });
    expect(records.columns).toEqual(["name", "n", "extra"]);
    expect(records.rows).toHaveLength(2);
    const points = tableOf({ points: [{ at: 1, value: 5 }, { at: 2, value: 6 }], field: undefined });
    expect(points.columns).toEqual(["time", "value"]);
    expect(points.rows.map((row) => row.value)).toEqual([6, 5]);
  });

  it("merges a live point once, in time order, dropping points that left the range", () => {
    const points = [{ at: 10, value: 1 }, { at: 20, value: 2 }];
    expect(withLivePoint({ points, point: { at: 30, value: 3 }, fromMs: 0 }).map((p) => p.at)).toEqual([10, 20, 30]);
    expect(withLivePoint({ points, point: { at: 20, value: 2 }, fromMs: 0 })).toHaveLength(2);
    expect(withLivePoint({ points, point: { at: 15, value: 9 }, fromMs: 0 }).map((p) => p.at)).toEqual([10, 15, 20]);
    expect(withLivePoint({ points, point: { at: 30, value: 3 }, fromMs: 15 }).map((p) => p.at)).toEqual([20, 30]);
  });

  it("leaves the points alone when a live point falls outside the range, before its start or past a custom end", () => {
    const points = [{ at: 10, value: 1 }, { at: 20, value: 2 }];
    expect(withLivePoint({ points, point: { at: 5, value: 0 }, fromMs: 10 })).toBe(points);
    expect(withLivePoint({ points, point: { at: 31, value: 3 }, fromMs: 0, toMs: 30 })).toBe(points);
    expect(withLivePoint({ points, point: { at: 30, value: 3 }, fromMs: 0, toMs: 30 }).map((p) => p.at)).toEqual([10, 20, 30]);
  });

  it("reads the weather node's forecast as a card: now, conditions in words, and each day's low and high", () => {
    const forecast = {
      location: { name: "Lyon", country: "France", latitude: 45.76, longitude: 4.84 },
      current: { time: "2025-06-12T14:15", temperature_2m: 21.4, apparent_temperature: 20.1, relative_humidity_2m: 48, weather_code: 2 },
      currentUnits: { temperature_2m: "°C", relative_humidity_2m: "%", weather_code: "wmo code" },
      daily: [
        { time: "2025-06-12", weather_code: 3, temperature_2m_max: 24.1, temperature_2m_min: 14.2 },
        { time: "2025-06-13", weather_code: 61, temperature_2m_max: 19.8, temperature_2m_min: 13.4 },
      ],
      hourly: [],
    };
    expect(weatherCardOf(forecast)).toEqual({
      place: "Lyon, France",
      temperature: 21.4,
      apparent: 20.1,
      temperatureUnit: "°C",
      conditions: "Partly cloudy",
      readings: [{ label: "Humidity", value: 48, unit: "%" }],
      days: [
        { date: "2025-06-12", conditions: "Overcast", low: 14.2, high: 24.1 },
        { date: "2025-06-13", conditions: "Light rain", low: 13.4, high: 19.8 },
      ],
    });
    expect(weatherCardOf({ current: null, daily: [] })).toBeNull();
    expect(weatherCardOf("sunny")).toBeNull();
  });
});

describe("dashboard time ranges", () => {
  const minute = 60_000;
  const day = 86_400_000;
  // A moment on a whole minute, so what a datetime-local field shows (to the minute) is the moment itself.
  const now = Math.floor(Date.parse("2026-06-12T14:30:00Z") / minute) * minute;
  const local = (ms: number) => toLocalInput(ms);

  it("ends a preset now and moves it with the clock; a custom range stays where it was put", () => {
    expect(rangeWindow({ range: { key: "15m" }, now })).toEqual({ from: now - 15 * minute, to: now });
    expect(rangeWindow({ range: { key: "7d" }, now: now + minute })).toEqual({ from: now + minute - 7 * day, to: now + minute });
    const custom = { from: now - 2 * day, to: now - day };
    expect(rangeWindow({ range: custom, now })).toEqual(custom);
    expect(rangeWindow({ range: custom, now: now + 5 * day })).toEqual(custom);
  });

  it("reads and writes datetime-local text in the browser's time zone, to the minute", () => {
    expect(fromLocalInput(local(now))).toBe(now);
    expect(local(now + 59_000)).toBe(local(now));
    expect(fromLocalInput("2026-06-12")).toBeNull();
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("2026-13-45T99:99")).toBeNull();
  });

  it("accepts a custom range that starts before it ends, up to now, and within the longest span", () => {
    expect(checkCustomRange({ from: local(now - day), to: local(now - 60 * minute), now })).toEqual({ ok: true, range: { from: now - day, to: now - 60 * minute } });
    // An end a few seconds ahead (the browser's clock, a minute rounded up) is now.
    expect(checkCustomRange({ from: local(now - day), to: local(now + minute), now })).toEqual({ ok: true, range: { from: now - day, to: now } });
    expect(checkCustomRange({ from: local(now - 366 * day), to: local(now), now }).ok).toBe(true);
  });

  it("refuses a custom range with a message about the field to change", () => {
    const refused = (from: string, to: string) => {
      const checked = checkCustomRange({ from, to, now });
      return checked.ok ? null : { field: checked.field, message: checked.message };
    };
    expect(refused("", local(now))).toEqual({ field: "from", message: "Enter the date and time the range starts." });
    expect(refused(local(now - day), "")).toEqual({ field: "to", message: "Enter the date and time the range ends." });
    expect(refused(local(now - day), local(now - 2 * day))).toEqual({ field: "to", message: "The end must come after the start." });
    expect(refused(local(now - day), local(now - day))).toEqual({ field: "to", message: "The end must come after the start." });
    expect(refused(local(now + 10 * minute), local(now + 20 * minute))).toEqual({ field: "from", message: "The start is in the future: pick a moment up to now." });
    expect(refused(local(now - day), local(now + day))?.field).toBe("to");
    expect(refused(local(now - day), local(now + day))?.message).toMatch(/^The end is in the future/);
    expect(refused(local(now - 367 * day), local(now))).toEqual({ field: "from", message: "Make the range at most 366 days long." });
  });

  it("puts the range in the address and reads it back; a missing, unknown or out-of-bounds one gives the default", () => {
    const params = (query: Record<string, string>) => new URLSearchParams(query);
    for (const range of [{ key: "15m" as const }, { key: "24h" as const }, { from: now - day, to: now - 3_600_000 }]) {
      expect(rangeFromQuery({ params: params(rangeToQuery(range)), now })).toEqual(range);
    }
    expect(rangeToQuery({ from: now - day, to: now })).toEqual({ from: new Date(now - day).toISOString(), to: new Date(now).toISOString() });
    expect(rangeFromQuery({ params: params({}), now })).toEqual(DEFAULT_TIME_RANGE);
    expect(rangeFromQuery({ params: params({ range: "3y" }), now })).toEqual(DEFAULT_TIME_RANGE);
    expect(rangeFromQuery({ params: params({ from: "yesterday", to: new Date(now).toISOString() }), now })).toEqual(DEFAULT_TIME_RANGE);
    const backwards = { from: new Date(now).toISOString(), to: new Date(now - day).toISOString() };
    expect(rangeFromQuery({ params: params(backwards), now })).toEqual(DEFAULT_TIME_RANGE);
    const tooLong = { from: new Date(now - 400 * day).toISOString(), to: new Date(now).toISOString() };
    expect(rangeFromQuery({ params: params(tooLong), now })).toEqual(DEFAULT_TIME_RANGE);
  });

  it("names a range for its button: the preset's label, or a custom range's ends", () => {
    expect(describeRange({ key: "7d" })).toBe("7 d");
    const start = new Date(2026, 5, 12, 9, 0).getTime();
    expect(describeRange({ from: start, to: start + 150 * minute })).toBe("Jun 12, 09:00 – 11:30");
    expect(describeRange({ from: start, to: start + day })).toBe("Jun 12, 09:00 – Jun 13, 09:00");
  });
});
