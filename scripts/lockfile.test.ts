// `npm ci` on a fresh clone must install from package-lock.json as it is. npm refuses a lockfile that lacks an
// entry for any optional dependency (another platform's @next/swc-*, @img/sharp-*, @esbuild/*, …) as out of sync,
// so every optional dependency named anywhere in the lockfile must have an entry npm can resolve.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

interface LockEntry {
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as { lockfileVersion: number; packages: Record<string, LockEntry> };
const { packages } = lock;

/** The entry Node's resolution would find for `name` required from the package at `from` ("" is the root). */
function resolveEntry(from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return null;
    const parent = dir.lastIndexOf("/node_modules/");
    dir = parent < 0 ? "" : dir.slice(0, parent);
  }
}

const optionalEdges = Object.entries(packages).flatMap(([at, entry]) =>
  Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ at: at || "(root)", from: at, name })),
);

describe("package-lock.json", () => {
  it("is a lockfile npm 7 and later read in full", () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  it("has an entry for every optional dependency of every package, whatever the platform", () => {
    const missing = optionalEdges.filter(({ from, name }) => resolveEntry(from, name) === null).map(({ at, name }) => `${at} -> ${name}`);
    expect(missing).toEqual([]);
  });

  it.each([
    ["next", "@next/swc-"],
    ["esbuild", "@esbuild/"],
    ["sharp", "@img/sharp-"],
    ["lightningcss", "lightningcss-"],
    ["@tailwindcss/oxide", "@tailwindcss/oxide-"],
  ])("lists other platforms' builds of %s, not only this machine's", (owner, prefix) => {
    const at = Object.keys(packages).find((key) => key === `node_modules/${owner}` || key.endsWith(`/node_modules/${owner}`));
    expect(at, `${owner} is in the lockfile`).toBeDefined();
    const platforms = Object.keys(packages[at!]!.optionalDependencies ?? {}).filter((name) => name.startsWith(prefix));
    // macOS, Windows and Linux builds at least: a lockfile written on one machine keeps the others'.
    expect(platforms.some((name) => name.includes("darwin"))).toBe(true);
    expect(platforms.some((name) => name.includes("win32"))).toBe(true);
    expect(platforms.some((name) => name.includes("linux"))).toBe(true);
    // Marked optional, so npm ci skips the ones whose os and cpu do not match instead of failing on them.
    for (const name of platforms) expect(packages[resolveEntry(at!, name)!]!.optional, name).toBe(true);
  });
});
