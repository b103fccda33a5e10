import { readFile, rm, writeFile } from "node:fs/promises";
import { ConfigError } from "../env";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `<dataDir>.lock` for this process. PGlite does not lock its folder itself, and two processes writing one
 * folder corrupt it, so a second opener (a second server, the CLI while the server runs) is refused instead.
 * A lock left by a process that is gone is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: "wx" });
      return async () => {
        const holder = await readFile(file, "utf8").catch(() => "");
        if (holder === String(process.pid)) await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(await readFile(file, "utf8").catch(() => "0"));
      if (holder && holder !== process.pid && isRunning(holder)) {
        throw new ConfigError(
          `The embedded database in ${dataDir} is in use by another Streamware process (pid ${holder}); stop it first, or use PostgreSQL (DATABASE_URL) to share one database between processes.`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new ConfigError(`Could not lock the embedded database in ${dataDir}; remove ${file} if no Streamware process is running.`);
}
