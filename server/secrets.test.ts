import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureSecrets } from "./secrets";

describe("ensureSecrets", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sw-secrets-"));
    dirs.push(dir);
    return dir;
  };

  it("generates embedded-mode secrets once and reuses them", async () => {
    const dataDir = await tempDir();
    const first: Record<string, string | undefined> = {};
    await ensureSecrets({ env: first, dataDir });
    const second: Record<string, string | undefined> = {};
    await ensureSecrets({ env: second, dataDir });
    expect(first.NEXTAUTH_SECRET).toHaveLength(44);
    expect(second).toEqual(first);
    expect((await stat(path.join(dataDir, "secrets.json"))).mode & 0o777).toBe(0o600);
  });

  it("keeps secrets given in the environment", async () => {
    const dataDir = await tempDir();
    const env: Record<string, string | undefined> = { NEXTAUTH_SECRET: "from-the-environment", STREAMWARE_ENCRYPTION_KEY: "also-from-the-env" };
    await ensureSecrets({ env, dataDir });
    expect(env.NEXTAUTH_SECRET).toBe("from-the-environment");
    await expect(readFile(path.join(dataDir, "secrets.json"))).rejects.toThrow();
  });

  it("asks for shared secrets when PostgreSQL is used", async () => {
    const env: Record<string, string | undefined> = { DATABASE_URL: "postgres://db/streamware" };
    await expect(ensureSecrets({ env, dataDir: await tempDir() })).rejects.toThrow(
      /Set NEXTAUTH_SECRET and STREAMWARE_ENCRYPTION_KEY when DATABASE_URL is set/,
    );
  });
});
