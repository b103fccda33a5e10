// What the single sign-on journeys share: signing in by the development sign-in or "Continue with SSO", and the
// instance administrator INSTANCE_ADMINS names verifying a workspace's claim of a domain.
import { type Browser, type Page, type TestInfo, expect } from "@playwright/test";
import { snapThemes } from "./screens";

export const flowsHeading = (page: Page) => page.getByRole("heading", { name: "Flows", exact: true });

function workspaceSlug(url: string): string {
  const slug = new URL(url).pathname.match(/^\/w\/([^/]+)/)?.[1];
  if (!slug) throw new Error(`not inside a workspace: ${url}`);
  return slug;
}

/** Signs in by the development sign-in and answers the slug of the workspace it lands in. */
export async function devSignIn(page: Page, email: string): Promise<string> {
  await page.goto("/signin");
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByRole("button", { name: "Sign in for development" }).click();
  await expect(flowsHeading(page)).toBeVisible();
  return workspaceSlug(page.url());
}

export async function continueWithSso(page: Page, email: string) {
  await page.goto("/signin");
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByRole("button", { name: "Continue with SSO" }).click();
}

/**
 * Signs the instance administrator in once, so that on a fresh instance (a journey file run alone) the workspace
 * admins of the journey are not its first user, whose claims an instance administrator's would be: verified at once.
 */
export async function signInInstanceAdmin(browser: Browser) {
  const context = await browser.newContext();
  await devSignIn(await context.newPage(), process.env.E2E_INSTANCE_ADMIN!);
  await context.close();
}

/** The instance administrator verifies a workspace's claim of `domain` under Admin → Domain claims. */
export async function verifyDomain({ browser, domain, workspace }: { browser: Browser; domain: string; workspace: string }, testInfo?: TestInfo) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await devSignIn(page, process.env.E2E_INSTANCE_ADMIN!);
  await page.goto("/admin/domains");
  await expect(page.getByRole("heading", { name: "Domain claims" })).toBeVisible();
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: domain, exact: true }) });
  await expect(row).toContainText("Pending");
  if (testInfo) await snapThemes(page, testInfo, "admin domain claims pending");
  await row.getByRole("button", { name: `Verify ${domain} for ${workspace}` }).click();
  await expect(row).toContainText("Verified");
  await expect(row.getByRole("button", { name: `Revoke the verification of ${domain}` })).toBeVisible();
  if (testInfo) await snapThemes(page, testInfo, "admin domain claims verified", { phone: false });
  await context.close();
}
