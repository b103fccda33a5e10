import { describe, expect, it } from "vitest";
import { isApplePlatform, shortcuts } from "./shortcuts";

describe("shortcuts", () => {
  it("writes Ctrl on other computers, and no ⌘ anywhere", () => {
    const list = shortcuts(false);
    expect(list[0]).toEqual(["Ctrl + Z", "Undo"]);
    expect(list.map(([keys]) => keys).join(" ")).not.toContain("⌘");
  });

  it("writes ⌘ on a Mac, and no Ctrl anywhere", () => {
    const list = shortcuts(true);
    expect(list[0]).toEqual(["⌘ + Z", "Undo"]);
    expect(list.find(([, what]) => what === "Redo")?.[0]).toBe("⌘ + Shift + Z, ⌘ + Y");
    expect(list.map(([keys]) => keys).join(" ")).not.toContain("Ctrl");
  });

  it("lists each action once, the same on both", () => {
    expect(shortcuts(true).map(([, what]) => what)).toEqual(shortcuts(false).map(([, what]) => what));
    expect(new Set(shortcuts(false).map(([keys]) => keys)).size).toBe(shortcuts(false).length);
  });

  it("tells Apple platforms from the rest", () => {
    for (const platform of ["MacIntel", "iPhone", "iPad", "macOS"]) expect(isApplePlatform(platform)).toBe(true);
    for (const platform of ["Linux x86_64", "Win32", "Windows", "Android", ""]) expect(isApplePlatform(platform)).toBe(false);
  });
});
