// `npm run build:all`: installs what is missing, generates the Prisma client and builds the app and the server
// bundles (dist/server.mjs, dist/worker.mjs, dist/cli.mjs) without starting anything: for images and deployments.
import { ensureSupportedNode } from "./node-runtime.mjs";
import { buildIfStale, ensureDependencies, generatePrismaClient, SetupError } from "./keep-current.mjs";

await ensureSupportedNode({ label: "build" });
try {
  await ensureDependencies();
  await generatePrismaClient();
  await buildIfStale();
} catch (error) {
  process.stderr.write(`[build] ${error instanceof SetupError ? error.message : error?.stack ?? error}\n`);
  process.exit(1);
}
