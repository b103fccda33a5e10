// `npm run worker`: builds when the sources changed (like `npm start`), then runs one compiled worker process.
import { spawn } from "node:child_process";
import { ensureSupportedNode } from "./node-runtime.mjs";
import { buildIfStale, builtEntry, ensureDependencies, generatePrismaClient, nodeMemoryEnv, nodeMemoryFlags, projectRoot, SetupError } from "./keep-current.mjs";

await ensureSupportedNode({ label: "worker" });

try {
  await ensureDependencies();
  await generatePrismaClient();
  await buildIfStale();
  const worker = spawn(process.execPath, ["--no-node-snapshot", ...nodeMemoryFlags(process.env, "worker"), builtEntry("worker")], {
    cwd: projectRoot,
    env: { ...process.env, ...nodeMemoryEnv(process.env), NODE_ENV: process.env.NODE_ENV ?? "production" },
    stdio: "inherit",
  });
  // The worker finishes or hands back its runs on these; pass them on rather than orphaning it.
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => worker.kill(signal));
  worker.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} catch (error) {
  process.stderr.write(`[worker] ${error instanceof SetupError ? error.message : error?.stack ?? error}\n`);
  process.exit(1);
}
