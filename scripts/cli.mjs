// `npm run cli -- <command>`: on a supported Node, with dependencies and the Prisma client in place, runs the
// TypeScript CLI (server/cli.ts) and exits with its code.
import { spawn } from "node:child_process";
import { ensureSupportedNode } from "./node-runtime.mjs";
import { ensureDependencies, generatePrismaClient, projectRoot, SetupError } from "./keep-current.mjs";

await ensureSupportedNode({ label: "cli" });
try {
  await ensureDependencies();
  await generatePrismaClient();
  const cli = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", "server/cli.ts", ...process.argv.slice(2)], { cwd: projectRoot, stdio: "inherit" });
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => cli.kill(signal));
  cli.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} catch (error) {
  process.stderr.write(`[cli] ${error instanceof SetupError ? error.message : error?.stack ?? error}\n`);
  process.exit(1);
}
