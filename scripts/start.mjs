// `npm start`: from a fresh clone with nothing but Node.js, install, generate, build when the sources changed,
// then run the server (which migrates the database before it listens). `--dev` runs Next in development mode.
import { spawn } from "node:child_process";
import { ensureSupportedNode } from "./node-runtime.mjs";
import { buildIfStale, builtEntry, ensureDependencies, generatePrismaClient, nodeMemoryEnv, nodeMemoryFlags, projectRoot, SetupError } from "./keep-current.mjs";

await ensureSupportedNode({ label: "start" });

const dev = process.argv.includes("--dev");
try {
  await ensureDependencies();
  await generatePrismaClient();
  if (!dev) await buildIfStale();
  const env = { ...process.env, ...nodeMemoryEnv(process.env), NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: dev ? "development" : "production" };
  // isolated-vm (the code node's sandbox) still asks for --no-node-snapshot. Development runs
  // the TypeScript sources; production the compiled server.
  const args = ["--no-node-snapshot", ...nodeMemoryFlags(process.env), ...(dev ? ["--import", "tsx", "server/main.ts", "--dev"] : [builtEntry("server")])];
  const server = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: "inherit" });
  // The server shuts down gracefully on these; pass them on rather than dying first and orphaning it.
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} catch (error) {
  process.stderr.write(`[start] ${error instanceof SetupError ? error.message : error?.stack ?? error}\n`);
  process.exit(1);
}
