import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  // "@/" only: a bare "@" would also catch scoped packages such as @prisma/client.
  resolve: { alias: [{ find: /^@\//, replacement: root }] },
  test: {
    environment: "node",
    // isolated-vm (the code node's sandbox) still asks for this.
    execArgv: ["--no-node-snapshot"],
    include: ["**/*.test.ts"],
    // Playwright journeys (*.spec.ts) run under Playwright; e2e/support's own checks run here.
    exclude: ["**/node_modules/**", ".next/**", "e2e/**/*.spec.ts", ".data/**"],
    // Integration tests start PGlite (seconds of CPU) and talk to real servers.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files wait on databases and servers as much as on the CPU, so both cores stay busy with two at a time;
    // each test creates its own databases, so files do not share state.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
