// `npm start`: from a fresh clone with nothing but Node.js, install, generate, build when the sources changed,
// then run the server (which migrates the database before it listens). `--dev` runs Next in development mode.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureDependencies, generatePrismaClient, projectRoot, run, SetupError } from "./setup.mjs";

const dev = process.argv.includes("--dev");
const buildInputs = ["app", "server", "nodes", "runner", "public", "types"];
const buildFiles = ["package-lock.json", "next.config.mjs", "postcss.config.mjs", "tsconfig.json", "prisma/schema.prisma"];
const stampFile = path.join(projectRoot, ".next", "streamware-sources.sha256");

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "generated" && entry.name !== "node_modules") yield* walk(full);
    } else if (!/\.test\.tsx?$/.test(entry.name)) {
      yield full;
    }
  }
}

/** A hash of what the build reads, so a rebuild happens exactly when something it depends on changed. */
function sourceHash() {
  const hash = createHash("sha256");
  const files = [...buildInputs.flatMap((dir) => [...walk(path.join(projectRoot, dir))]), ...buildFiles.map((f) => path.join(projectRoot, f))];
  for (const file of files.filter((f) => existsSync(f) && statSync(f).isFile()).sort()) {
    hash.update(path.relative(projectRoot, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

async function buildIfStale() {
  const current = sourceHash();
  const built = existsSync(path.join(projectRoot, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === current;
  if (built) return;
  process.stdout.write("[start] building the app (next build)\n");
  const code = await run(path.join(projectRoot, "node_modules", ".bin", "next"), ["build"], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (code !== 0) throw new SetupError(`next build failed with code ${code}`);
  writeFileSync(stampFile, current);
}

try {
  await ensureDependencies();
  await generatePrismaClient();
  if (!dev) await buildIfStale();
  const tsx = path.join(projectRoot, "node_modules", ".bin", "tsx");
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: dev ? "development" : "production" };
  const server = spawn(tsx, ["server/main.ts", ...(dev ? ["--dev"] : [])], { cwd: projectRoot, env, stdio: "inherit" });
  // The server shuts down gracefully on these; pass them on rather than dying first and orphaning it.
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} catch (error) {
  process.stderr.write(`[start] ${error instanceof SetupError ? error.message : error?.stack ?? error}\n`);
  process.exit(1);
}
