// A second Streamware server for journeys that need a set-up the shared one does not have (a configured public
// URL): the same built app, its own port and embedded database, started the way a person starts it.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface AppServer {
  port: number;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth({ url, child, output }: { url: string; child: ChildProcess; output: () => string }): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the second server exited with code ${child.exitCode}:\n${output()}`);
    const healthy = await fetch(url).then((response) => response.ok, () => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Starts `npm start`'s script with `env` on `port` (a free one unless given: a journey whose identity provider must
 * know the app's address first picks it) and a fresh data folder; resolves once it is healthy.
 */
export async function startAppServer(env: (port: number) => Record<string, string>, { port: chosen }: { port?: number } = {}): Promise<AppServer> {
  const port = chosen ?? (await freePort());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "streamware-e2e-second-"));
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
      STREAMWARE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DEV_LOGIN: "true",
      NEXT_TELEMETRY_DISABLED: "1",
      ...env(port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitForHealth({ url: `http://127.0.0.1:${port}/api/health`, child, output: () => log });
  } catch (err) {
    child.kill("SIGTERM");
    await exited;
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    async close() {
      child.kill("SIGTERM");
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
