// A vitest reporter for `npm test`: writes the errors that fail a run outside any test (an unhandled rejection, a
// worker that exits, a file that cannot load, a failed beforeAll or afterAll) to the JSON file named by
// VITEST_ERRORS_REPORT, so the results at the end of a long run say what failed, not only that something did.
// Vitest's JSON report leaves these errors out.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** An error's first line, and the test file it came from. */
const summary = (error, file) => ({ message: String(error?.message ?? error).split("\n")[0], file: file ?? error?.VITEST_TEST_PATH ?? null });

export default class ErrorsReporter {
  onInit(vitest) {
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules, unhandledErrors) {
    const outputFile = process.env.VITEST_ERRORS_REPORT;
    if (!outputFile) return;
    const relative = (file) => (file ? path.relative(this.root, file) : null);
    const errors = unhandledErrors.map((error) => summary(error, relative(error?.VITEST_TEST_PATH)));
    for (const testModule of testModules) {
      for (const suite of [testModule, ...testModule.children.allSuites()]) {
        for (const error of suite.errors()) errors.push(summary(error, relative(testModule.moduleId)));
      }
    }
    mkdirSync(path.dirname(outputFile), { recursive: true });
    writeFileSync(outputFile, JSON.stringify(errors, null, 2));
  }
}
