import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Queue } from "bullmq";

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `npm run worker`'s entry (the TypeScript source, through tsx) as its own process against a test
 * database and Redis. `env` adds to or replaces the defaults: loopback allowed, quiet logs, fresh secrets.
 */
export function spawnWorkerProcess({ databaseUrl, redisUrl, env = {} }: { databaseUrl: string; redisUrl: string; env?: Record<string, string> }): WorkerProcess {
  const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", "server/worker.ts"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      HTTP_ALLOW_HOSTS: "127.0.0.1",
      LOG_LEVEL: "warn",
      STREAMWARE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
      ...env,
    },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, pid: child.pid!, output: () => output, exited };
}

/**
 * The ids of the Redis connections BullMQ lists as a queue's workers. A new worker has shown up when an id appears
 * that was not there before; counting them instead would miss it while an earlier test's worker is still leaving.
 */
export async function workerClientIds(queue: Pick<Queue, "getWorkers">): Promise<Set<string>> {
  return new Set((await queue.getWorkers()).map((client) => client.id!));
}

/** Polls `check` until it gives a value, failing after `timeoutMs` with what was awaited and, if given, the state. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  describeState?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${describeState ? `\n${describeState()}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
