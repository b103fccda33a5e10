import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ConfigError, type Env, type EnvSource } from "./env";
import type { BackupSecrets } from "./services/backup-service";

const storedSecrets = z.object({ NEXTAUTH_SECRET: z.string().min(16), STREAMWARE_ENCRYPTION_KEY: z.string().min(16) });
type StoredSecrets = z.infer<typeof storedSecrets>;

/**
 * Embedded mode needs no set-up, so its session secret and encryption key are generated once and kept in the
 * data folder. With PostgreSQL several web processes must share them, so they have to come from the environment.
 */
export async function ensureSecrets({ env, dataDir }: { env: EnvSource; dataDir: string }): Promise<void> {
  const missing = (["NEXTAUTH_SECRET", "STREAMWARE_ENCRYPTION_KEY"] as const).filter((name) => !env[name]);
  if (missing.length === 0) return;
  if (env.DATABASE_URL) {
    throw new ConfigError(
      `Set ${missing.join(" and ")} when DATABASE_URL is set (every web and worker process must share them); ` +
        `for example: ${missing.map((m) => `${m}=$(openssl rand -base64 32)`).join(" ")}`,
    );
  }
  const file = path.join(dataDir, "secrets.json");
  let secrets: StoredSecrets;
  try {
    secrets = storedSecrets.parse(JSON.parse(await readFile(file, "utf8")));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new ConfigError(`${file} is unreadable; fix or remove it: ${String(err)}`);
    secrets = {
      NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
      STREAMWARE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    };
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  }
  for (const name of missing) env[name] = secrets[name];
}

/** Replaces the data folder's secrets: a restored embedded instance takes the keys of the one backed up. */
export async function storeSecrets({ dataDir, secrets }: { dataDir: string; secrets: StoredSecrets }): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, "secrets.json"), JSON.stringify(storedSecrets.parse(secrets), null, 2), { mode: 0o600 });
}

/** The keys this instance's secrets are sealed with, current first, and its session secret: what a backup carries. */
export function instanceKeys(config: Env): BackupSecrets {
  if (!config.STREAMWARE_ENCRYPTION_KEY) throw new ConfigError("STREAMWARE_ENCRYPTION_KEY is not set; a backup needs the key its secrets are sealed with.");
  return { encryptionKeys: [config.STREAMWARE_ENCRYPTION_KEY, ...config.STREAMWARE_PREVIOUS_ENCRYPTION_KEYS], sessionSecret: config.NEXTAUTH_SECRET };
}
