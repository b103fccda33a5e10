// `npm run bench:import -- <folder>`: imports every file of a folder through the pure importers (no database,
// nothing written) and prints BENCH lines; see bench/import-files.ts.
import { spawn } from "node:child_process";
import { ensureSupportedNode } from "../scripts/node-runtime.mjs";
import { projectRoot } from "../scripts/keep-current.mjs";

await ensureSupportedNode({ label: "bench:import" });
const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", "bench/import-files.ts", ...process.argv.slice(2)], { cwd: projectRoot, stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
