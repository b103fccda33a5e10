import { describe, expect, it } from "vitest";
import { attemptText, binaryOf, cellOf, cellText, columnsOf, countItems, formatBytes, pinnableItems, portsOf } from "./data-model";

const stored = {
  items: {
    true: [{ json: { id: 1, name: "Ada" } }, { json: { id: 2, tags: ["x"] }, binary: { photo: { id: "b1", mimeType: "image/png", fileName: "ada.png", size: 2048 } } }],
    false: [{ json: { id: 3, extra: null } }],
  },
  truncated: { originalBytes: 200_000, capBytes: 65_536, keptItems: 3, totalItems: 900 },
};

describe("step data for the data view", () => {
  it("reads ports, items and the cap note from what run.get returns", () => {
    const { ports, truncated } = portsOf(stored);
    expect(ports.map((p) => [p.port, p.items.length])).toEqual([
      ["true", 2],
      ["false", 1],
    ]);
    expect(countItems(ports)).toBe(3);
    expect(truncated).toEqual({ originalBytes: 200_000, capBytes: 65_536, keptItems: 3, totalItems: 900 });
    expect(portsOf({ items: { out: [] } }).truncated).toBeNull();
    expect(portsOf(undefined)).toEqual({ ports: [], truncated: null });
    expect(portsOf(null)).toEqual({ ports: [], truncated: null });
  });

  it("makes table columns from the items' keys in order of appearance", () => {
    const items = portsOf(stored).ports.flatMap((p) => p.items);
    expect(columnsOf(items)).toEqual(["id", "name", "tags", "extra"]);
    expect(columnsOf([{ json: { a: 1 } }, "plain"])).toEqual(["a", "value"]);
    expect(columnsOf([{ json: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i])) }])).toHaveLength(40);
    expect(cellOf(items[1], "tags")).toEqual(["x"]);
    expect(cellText(["x"])).toBe('["x"]');
    expect(cellText(null)).toBe("null");
    expect(cellText(undefined)).toBe("");
    expect(cellText("a".repeat(200), 10)).toBe(`${"a".repeat(10)}…`);
  });

  it("shows binary references by name, type and size", () => {
    const [, second] = portsOf(stored).ports[0]!.items;
    expect(binaryOf(second)).toEqual([{ key: "photo", id: "b1", fileName: "ada.png", mimeType: "image/png", size: 2048 }]);
    expect(binaryOf({ json: {} })).toEqual([]);
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(5 * 1024 * 1024 * 1024)).toBe("5.0 GB");
    expect(formatBytes(150 * 1024)).toBe("150 KB");
  });

  it("pins the default output port, or every port when there is none", () => {
    expect(pinnableItems(portsOf({ items: { out: [{ json: { a: 1 } }], error: [{ json: { b: 2 } }] } }).ports)).toEqual([{ json: { a: 1 } }]);
    expect(pinnableItems(portsOf(stored).ports)).toHaveLength(3);
  });
});

describe("a step's attempt in the data view", () => {
  it("says nothing of a first attempt, numbers retries, and explains a re-run after a lost worker", () => {
    expect(attemptText(undefined)).toBeNull();
    expect(attemptText(1, 0)).toBeNull();
    expect(attemptText(3, 0)).toBe("attempt 3");
    expect(attemptText(2, 1)).toBe("attempt 2 — re-run after its worker was lost");
    expect(attemptText(3, 2)).toBe("attempt 3 — re-run after its worker was lost (2 times)");
  });
});
