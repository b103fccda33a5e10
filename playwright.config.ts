import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// Everything below is decided once, in the runner process, and written to process.env: Playwright loads this
// file again in each worker (which inherits the runner's environment), and globalSetup reads the same values,
// so the app, the OIDC provider and the tests agree. `npm test` picks free ports; the fallbacks serve a plain
// `npx playwright test`.
const env = process.env;
const appPort = Number((env.E2E_APP_PORT ??= "3107"));
const oidcPort = Number((env.E2E_OIDC_PORT ??= "3108"));
// The app is started without NEXTAUTH_URL, as `npm start` is by default: it answers on localhost and on
// 127.0.0.1 alike (the sign-in journeys use both), and the test identity provider accepts both.
const appOrigin = (env.E2E_APP_ORIGIN ??= `http://localhost:${appPort}`);
const oidcClientId = (env.E2E_OIDC_CLIENT_ID ??= "streamware-e2e");
const oidcClientSecret = (env.E2E_OIDC_CLIENT_SECRET ??= randomBytes(24).toString("base64url"));
// A fresh data folder means embedded PGlite with no users from an earlier run. `npm test` makes and removes
// its own; one made here is removed when the runner exits, after the web server has stopped.
if (!env.E2E_DATA_DIR) {
  const created = (env.E2E_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "streamware-e2e-")));
  process.on("exit", () => rmSync(created, { recursive: true, force: true }));
}
const dataDir = env.E2E_DATA_DIR;
const nextAuthSecret = (env.NEXTAUTH_SECRET ??= randomBytes(32).toString("base64"));
const encryptionKey = (env.STREAMWARE_ENCRYPTION_KEY ??= randomBytes(32).toString("base64"));
// The instance administrator the SSO journeys sign in as to verify workspaces' domain claims (INSTANCE_ADMINS).
const instanceAdmin = (env.E2E_INSTANCE_ADMIN ??= "root@instance-admins.test");

export default defineConfig({
  testDir: "e2e",
  // e2e/support holds helpers and their vitest checks (*.test.ts), which are not journeys.
  testMatch: "**/*.spec.ts",
  outputDir: "test-results/e2e",
  globalSetup: "./e2e/support/oidc-provider.ts",
  // One app and one database serve every journey; the machines have two cores.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: Boolean(env.CI),
  timeout: 60_000,
  globalTimeout: 15 * 60_000,
  expect: { timeout: 10_000 },
  reporter: [
    ["list"],
    ["html", { open: "never", outputFolder: "playwright-report" }],
    ...(env.E2E_JSON_REPORT ? [["json", { outputFile: env.E2E_JSON_REPORT }] as const] : []),
  ],
  use: {
    baseURL: appOrigin,
    screenshot: "on",
    trace: "retain-on-failure",
    video: "off",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        // Playwright cannot download its own browser here; Debian's Chromium is installed by scripts/provision-test-machine.mjs.
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    command: "node scripts/start.mjs",
    url: `${appOrigin}/api/health`,
    // start.mjs builds when the build is stale and applies migrations first.
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: env.E2E_SERVER_LOG ? "pipe" : "ignore",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: {
      PORT: String(appPort),
      DATA_DIR: dataDir,
      NEXTAUTH_SECRET: nextAuthSecret,
      STREAMWARE_ENCRYPTION_KEY: encryptionKey,
      OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
      OIDC_CLIENT_ID: oidcClientId,
      OIDC_CLIENT_SECRET: oidcClientSecret,
      OIDC_NAME: "Test SSO",
      DEV_LOGIN: "true",
      // Every journey signs in from loopback, many a minute.
      SIGN_IN_RATE_LIMIT_PER_MINUTE: "0",
      INSTANCE_ADMINS: instanceAdmin,
      NEXT_TELEMETRY_DISABLED: "1",
      // The domain-node journeys point nodes at protocol servers the spec starts on loopback.
      HTTP_ALLOW_HOSTS: "127.0.0.1,localhost",
    },
  },
});
