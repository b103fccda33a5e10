import { type Browser, type Page, expect, test } from "@playwright/test";
import { startAppServer } from "./support/app-server";
import { uniqueEmail } from "./support/editor";

// The shared app is started without NEXTAUTH_URL, as `npm start` is by default, and listens on every address.
const port = Number(process.env.E2E_APP_PORT);
const byLoopback = `http://127.0.0.1:${port}`;
const byName = `http://localhost:${port}`;

const flowsHeading = (page: Page) => page.getByRole("heading", { name: "Flows", exact: true });

/** A fresh browser context: no cookie from an earlier sign-in on either address. */
async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

async function devSignInAt(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/signin`);
  const submit = page.getByRole("button", { name: "Sign in for development" });
  await expect(submit).toBeEnabled();
  await page.getByRole("textbox", { name: "Email" }).fill(uniqueEmail("address"));
  await submit.click();
  await expect(flowsHeading(page)).toBeVisible();
  expect(new URL(page.url()).origin).toBe(origin);
}

for (const origin of [byLoopback, byName]) {
  test(`the development sign-in works when the app is opened at ${origin}`, async ({ browser }) => {
    const page = await freshPage(browser);
    await devSignInAt(page, origin);
    // Signed in for real: a page that needs the session opens instead of sending the person back to sign in.
    await page.reload();
    await expect(flowsHeading(page)).toBeVisible();
    await page.context().close();
  });

  test(`SSO sign-in comes back signed in to ${origin}`, async ({ browser }) => {
    const page = await freshPage(browser);
    await page.goto(`${origin}/signin`);
    await page.getByRole("button", { name: "Continue with Test SSO" }).click();
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
    await page.getByRole("textbox", { name: "Login" }).fill(uniqueEmail("sso-address"));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    const allow = page.getByRole("button", { name: "Allow" });
    await expect(allow.or(flowsHeading(page))).toBeVisible();
    if (await allow.isVisible()) await allow.click();
    await expect(flowsHeading(page)).toBeVisible();
    expect(new URL(page.url()).origin).toBe(origin);
    await page.context().close();
  });
}

test.describe("with a public URL configured", () => {
  // A second server, started with NEXTAUTH_URL naming localhost: the set-up of a person who configured one address.
  test.describe.configure({ timeout: 240_000 });
  let server: Awaited<ReturnType<typeof startAppServer>>;

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    server = await startAppServer((p) => ({ NEXTAUTH_URL: `http://localhost:${p}` }));
  });

  test.afterAll(async () => {
    await server?.close();
  });

  test("the sign-in page opened by another address names the address and the variable to set", async ({ browser }) => {
    const configured = `http://localhost:${server.port}`;
    const page = await freshPage(browser);
    await page.goto(`http://127.0.0.1:${server.port}/signin`);
    // Scoped to the page's main part: Next's route announcer is an alert too.
    const warning = page.getByRole("main").getByRole("alert");
    await expect(warning).toContainText(`NEXTAUTH_URL is set to ${configured}`);
    await expect(warning).toContainText(`http://127.0.0.1:${server.port}`);
    const link = warning.getByRole("link", { name: `Open ${configured}` });
    await expect(link).toHaveAttribute("href", `${configured}/signin`);

    for (const [size, viewport] of Object.entries({ desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } })) {
      await page.setViewportSize(viewport);
      for (const colorScheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme });
        await page.screenshot({ path: `test-results/e2e/sign-in-address-${size}-${colorScheme}.png`, fullPage: true });
      }
    }
    await page.emulateMedia({ colorScheme: "light" });

    // Following the link signs in on the configured address.
    await link.click();
    await expect(page).toHaveURL(`${configured}/signin`);
    await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);
    await devSignInAt(page, configured);
    await page.context().close();
  });
});
