import { describe, expect, it } from "vitest";
import type { Widget } from "@/nodes/_core/dashboard";
import { fieldOf, formatValue, placeNew, pointNumber, readingOrder, statusOf, tableOf, weatherCardOf, withLivePoint } from "./widget-values";

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
