// `prisma generate` offline: the CLI first tries to download a native schema engine, which it does not need for
// generating; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that download.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prisma = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "prisma.cmd" : "prisma");

const result = spawnSync(prisma, ["generate", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(root, "prisma", "schema-engine.placeholder"),
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  },
});

if (result.error) {
  process.stderr.write(`could not run ${prisma}: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
