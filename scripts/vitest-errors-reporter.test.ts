import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";

const projectRoot = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "errors-reporter-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("names what failed a vitest run outside any test, with its file", { timeout: 60_000 }, async () => {
  // Globals, so the file needs no import of vitest from outside the project.
  writeFileSync(
    path.join(dir, "outside.test.mjs"),
    `afterAll(() => { throw new Error("the cleanup broke"); });
     it("passes", () => { void Promise.reject(new Error("a promise nobody waited for")); });\n`,
  );
  const report = path.join(dir, "errors.json");
  const vitest = path.join(projectRoot, "node_modules", "vitest", "vitest.mjs");
  const reporter = path.join(projectRoot, "scripts", "vitest-errors-reporter.mjs");
  const run = promisify(execFile)(process.execPath, [vitest, "run", "--root", dir, "--globals", "--reporter=dot", `--reporter=${reporter}`], {
    env: { ...process.env, VITEST_ERRORS_REPORT: report },
  });
  // The test passed, yet the run fails.
  await expect(run).rejects.toMatchObject({ code: 1 });
  expect(JSON.parse(readFileSync(report, "utf8"))).toEqual(
    expect.arrayContaining([
      { message: "a promise nobody waited for", file: "outside.test.mjs" },
      { message: "the cleanup broke", file: "outside.test.mjs" },
    ]),
  );
});
