// `npm test`: everything CI checks, from a fresh clone with only Node.js. Every stage runs even when an earlier
// one fails, so one run reports all breakage; the last line is the machine-readable summary.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureNodeBinary, ensureSupportedNode, envWithNode, supportedNodes } from "./node-runtime.mjs";
import { SetupError, buildIfStale, ensureDependencies, freePort, generatePrismaClient, projectRoot, run } from "./keep-current.mjs";
import { ensureChromium, ensureMediaTools, ensureMosquitto, ensurePostgres, ensureRedis } from "./provision-test-machine.mjs";

await ensureSupportedNode({ label: "test" });

// `--also-node=26` (what CI passes) runs the vitest stage a second time under that pinned Node, fetched once.
const { values: options } = parseArgs({ options: { "also-node": { type: "string", multiple: true, default: [] } } });
const thisMajor = Number(process.versions.node.split(".")[0]);
const alsoMajors = options["also-node"].flatMap((list) => list.split(",")).map(Number).filter((major) => major !== thisMajor);
for (const major of alsoMajors) {
  if (!Object.hasOwn(supportedNodes, major)) {
    process.stderr.write(`[test] --also-node=${major}: Streamware supports Node ${Object.keys(supportedNodes).join(" and ")}\n`);
    process.exit(2);
  }
}

const resultsDir = path.join(projectRoot, "test-results");
const vitestReport = (major) => path.join(resultsDir, major === thisMajor ? "vitest.json" : `vitest-node${major}.json`);
/** What failed a vitest run outside any test (scripts/vitest-errors-reporter.mjs). */
const vitestErrorsReport = (major) => vitestReport(major).replace(/\.json$/, "-errors.json");
const playwrightReport = path.join(resultsDir, "playwright.json");

const banner = (title) => process.stdout.write(`\n━━ ${title} ${"━".repeat(Math.max(0, 72 - title.length))}\n`);
const seconds = (startedAt) => (performance.now() - startedAt) / 1000;
const secret = () => randomBytes(32).toString("base64");

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/**
 * Runs a project binary. `--no` keeps npx from ever downloading one; the `--` matters: without it npx 11 takes
 * the tool's own flags (`--noEmit`) as npm config and silently drops them.
 */
const npx = (args, { env }) => run("npx", ["--no", "--", ...args], { env });

/** The layers' import arrows (.dependency-cruiser.mjs), and what client components may reach (.dependency-cruiser-client.mjs). */
const layerFolders = ["app", "server", "nodes", "runner", "prisma"];
const layersArgs = ["depcruise", "--config", ".dependency-cruiser.mjs", "--output-type", "err", ...layerFolders];
const clientBundleArgs = ["depcruise", "--config", ".dependency-cruiser-client.mjs", "--output-type", "err", "app"];

/** A stage with no test report of its own (typecheck, build) counts as one check. */
async function checkStage({ name, args, env }) {
  banner(`${name}: npx ${args.join(" ")}`);
  const startedAt = performance.now();
  const code = await npx(args, { env });
  const ok = code === 0;
  return { name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, seconds: seconds(startedAt), note: ok ? "" : `exit ${code}` };
}

/** The same stamped build `npm start` uses, so the journeys' web server finds it current and starts at once. */
async function buildStage() {
  banner("build: next build");
  const startedAt = performance.now();
  try {
    await buildIfStale();
    return { name: "build", passed: 1, failed: 0, skipped: 0, seconds: seconds(startedAt), note: "" };
  } catch (error) {
    return { name: "build", passed: 0, failed: 1, skipped: 0, seconds: seconds(startedAt), note: error.message };
  }
}

/** The vitest stage under this process's Node, or under the pinned Node of `major` (its folder first on the PATH). */
async function vitestStage({ env, major = thisMajor }) {
  let version = process.versions.node;
  if (major !== thisMajor) {
    try {
      const other = await ensureNodeBinary({ major });
      ({ version } = other);
      env = envWithNode({ node: other.node, env });
    } catch (error) {
      return { name: `unit and integration (vitest, Node ${major})`, passed: 0, failed: 1, skipped: 0, seconds: 0, note: error.message };
    }
  }
  const name = `unit and integration (vitest, Node ${version})`;
  const report = vitestReport(major);
  const args = [
    "vitest", "run",
    "--reporter=default", "--reporter=json", `--outputFile.json=${path.relative(projectRoot, report)}`,
    "--reporter=./scripts/vitest-errors-reporter.mjs",
    "--passWithNoTests",
    // Playwright specs share the *.spec.ts pattern but only run under Playwright.
    "--exclude=e2e/**/*.spec.ts",
  ];
  banner(`${name}: npx vitest run`);
  const startedAt = performance.now();
  const errorsReport = vitestErrorsReport(major);
  const code = await npx(args, { env: { ...env, VITEST_ERRORS_REPORT: errorsReport } });
  const counts = readJson(report);
  const result = { name, passed: 0, failed: 0, skipped: 0, seconds: seconds(startedAt), note: "" };
  if (counts) {
    result.passed = counts.numPassedTests ?? 0;
    result.failed = counts.numFailedTests ?? 0;
    result.skipped = (counts.numPendingTests ?? 0) + (counts.numTodoTests ?? 0);
  }
  // A file that fails to import fails no single test, but it is still a failure.
  if (code !== 0 && result.failed === 0) {
    result.failed = Math.max(1, counts?.numFailedTestSuites ?? 0);
    result.note = counts ? `exit ${code}: a test file failed outside any test` : `exit ${code}, no report`;
  }
  if (code !== 0) result.failures = [...failedTests(counts), ...(readJson(errorsReport) ?? [])];
  return result;
}

/** The failed tests of a vitest JSON report, each as its file and its name with the first line of its error. */
function failedTests(report) {
  return (report?.testResults ?? []).flatMap((file) =>
    (file.assertionResults ?? [])
      .filter((test) => test.status === "failed")
      .map((test) => ({ file: path.relative(projectRoot, file.name), message: `${test.fullName}: ${String(test.failureMessages?.[0] ?? "").split("\n")[0]}` })),
  );
}

async function playwrightStage({ env }) {
  const name = "browser journeys (playwright)";
  banner(`${name}: npx playwright test`);
  const startedAt = performance.now();
  const code = await npx(["playwright", "test"], { env });
  const report = readJson(playwrightReport);
  const stats = report?.stats ?? {};
  const result = {
    name,
    // A flaky test passed on a retry; it is reported by Playwright's own output.
    passed: (stats.expected ?? 0) + (stats.flaky ?? 0),
    failed: stats.unexpected ?? 0,
    skipped: stats.skipped ?? 0,
    seconds: seconds(startedAt),
    note: stats.flaky ? `${stats.flaky} flaky` : "",
  };
  // The web server or global setup failing leaves every test unrun rather than failed.
  if (code !== 0 && result.failed === 0) {
    result.failed = 1;
    result.note = report ? `exit ${code}: ${report.errors?.[0]?.message?.split("\n")[0] ?? "run failed"}` : `exit ${code}, no report`;
  }
  return result;
}

async function setup() {
  banner("setup");
  const startedAt = performance.now();
  await ensureDependencies();
  await generatePrismaClient();
  const databaseUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  await ensurePostgres({ url: databaseUrl });
  // Queue-mode tests take a database index of their own on this server (server/test-runtime.ts).
  const redisUrl = await ensureRedis({ url: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379" });
  const mqttUrl = await ensureMosquitto({ url: process.env.TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883" });
  await ensureChromium();
  await ensureMediaTools();
  mkdirSync(resultsDir, { recursive: true });
  const majors = [thisMajor, ...alsoMajors];
  for (const report of [...majors.map(vitestReport), ...majors.map(vitestErrorsReport), playwrightReport]) rmSync(report, { force: true });
  const [appPort, oidcPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    TEST_DATABASE_URL: databaseUrl,
    TEST_REDIS_URL: redisUrl,
    TEST_MQTT_URL: mqttUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? secret(),
    STREAMWARE_ENCRYPTION_KEY: process.env.STREAMWARE_ENCRYPTION_KEY ?? secret(),
    NEXT_TELEMETRY_DISABLED: "1",
    E2E_APP_PORT: String(appPort),
    E2E_OIDC_PORT: String(oidcPort),
    // Embedded PGlite in a folder of its own, so journeys never see a previous run's users.
    E2E_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "streamware-e2e-")),
    E2E_JSON_REPORT: playwrightReport,
  };
  process.stdout.write(`[setup] ready in ${seconds(startedAt).toFixed(1)} s (app port ${appPort}, OIDC port ${oidcPort})\n`);
  return { env, seconds: seconds(startedAt) };
}

/** How many of a stage's failures are repeated beside the results table. */
const FAILURES_SHOWN = 20;

function printTable(stages) {
  // A failure is printed far up a long log; a line each here keeps it beside the table, where a log's tail shows it.
  for (const stage of stages.filter((stage) => stage.failures?.length)) {
    banner(`${stage.name}: what failed`);
    for (const { message, file } of stage.failures.slice(0, FAILURES_SHOWN)) process.stdout.write(`${file ?? "(no file)"}: ${message}\n`);
    if (stage.failures.length > FAILURES_SHOWN) process.stdout.write(`… and ${stage.failures.length - FAILURES_SHOWN} more above\n`);
  }
  banner("results");
  const width = Math.max(...stages.map((stage) => stage.name.length));
  for (const stage of stages) {
    const counts = stage.counts ?? `${stage.passed} passed, ${stage.failed} failed${stage.skipped ? `, ${stage.skipped} skipped` : ""}`;
    const mark = stage.failed ? "✗" : "✓";
    process.stdout.write(
      `${mark} ${stage.name.padEnd(width)}  ${counts.padEnd(30)} ${stage.seconds.toFixed(1).padStart(6)} s${stage.note ? `  (${stage.note})` : ""}\n`,
    );
  }
}

async function main() {
  let context;
  try {
    context = await setup();
  } catch (error) {
    const message = error instanceof SetupError ? error.message : (error?.stack ?? String(error));
    process.stdout.write(`\n[setup] cannot run the tests: ${message}\n`);
    process.stdout.write("0 passed, 1 failed\n");
    process.exitCode = 1;
    return;
  }
  const { env } = context;
  const stages = [{ name: "setup", passed: 0, failed: 0, skipped: 0, seconds: context.seconds, counts: "ready" }];
  stages.push(await checkStage({ name: "typecheck", args: ["tsc", "--noEmit"], env }));
  stages.push(await checkStage({ name: "lint", args: ["eslint", "."], env }));
  stages.push(await checkStage({ name: "layers", args: layersArgs, env }));
  stages.push(await checkStage({ name: "client bundle", args: clientBundleArgs, env }));
  stages.push(await vitestStage({ env }));
  for (const major of alsoMajors) stages.push(await vitestStage({ env, major }));
  stages.push(await buildStage());
  // The journeys run against embedded PGlite in E2E_DATA_DIR and the in-process runner; a DATABASE_URL or
  // REDIS_URL from the caller's shell would reach the web server (Playwright merges process.env into it).
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...browserEnv } = env;
  stages.push(await playwrightStage({ env: browserEnv }));
  if (existsSync(env.E2E_DATA_DIR)) rmSync(env.E2E_DATA_DIR, { recursive: true, force: true });

  printTable(stages);
  const total = stages.reduce(
    (sum, stage) => ({ passed: sum.passed + stage.passed, failed: sum.failed + stage.failed, skipped: sum.skipped + stage.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  process.stdout.write(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}\n`);
  process.exitCode = total.failed > 0 ? 1 : 0;
}

await main();
