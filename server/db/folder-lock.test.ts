import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../env";
import { lockDataDir } from "./folder-lock";

describe("lockDataDir", () => {
  const dir = () => path.join(mkdtempSync(path.join(os.tmpdir(), "streamware-lock-")), "pglite");

  it("refuses a folder another live process holds, naming it", async () => {
    const dataDir = dir();
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      writeFileSync(`${dataDir}.lock`, String(other.pid));
      const err = await lockDataDir(dataDir).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(`in use by another Streamware process (pid ${other.pid})`);
    } finally {
      other.kill();
    }
  });

  it("takes over a lock left by a process that is gone, and releases it", async () => {
    const dataDir = dir();
    writeFileSync(`${dataDir}.lock`, "999999999");
    const release = await lockDataDir(dataDir);
    expect(existsSync(`${dataDir}.lock`)).toBe(true);
    await release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
