import { type Page, expect, test } from "@playwright/test";

/** The workspace slug from a `/w/<slug>` or `/w/<slug>/…` URL. */
function workspaceSlug(url: string): string {
  const slug = new URL(url).pathname.match(/^\/w\/([^/]+)/)?.[1];
  if (!slug) throw new Error(`not inside a workspace: ${url}`);
  return slug;
}

const flowsHeading = (page: Page) => page.getByRole("heading", { name: "Flows", exact: true });

async function devSignIn(page: Page, email: string): Promise<string> {
  await page.goto("/signin");
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByRole("button", { name: "Sign in for development" }).click();
  await expect(flowsHeading(page)).toBeVisible();
  await expect(page).toHaveURL(/\/w\/[^/]+\/?$/);
  return workspaceSlug(page.url());
}

/** Creates a flow from the list page and returns to the list. */
async function createFlow(page: Page, { slug, name }: { slug: string; name: string }) {
  const dialog = page.getByRole("dialog");
  // Buttons stay disabled until React has hydrated them; Playwright waits for them to be enabled.
  await page.getByRole("button", { name: "New flow" }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole("textbox", { name: "Flow name" }).fill(name);
  await dialog.getByRole("button", { name: "Create flow" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${slug}/flows/[^/?#]+$`));
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await page.getByRole("link", { name: "All flows" }).click();
  await expect(flowsHeading(page)).toBeVisible();
  await expect(page.getByRole("link", { name })).toBeVisible();
}

test("an email typed before the page is live is kept and signs in", async ({ page }) => {
  // The page's scripts are held back until the address is typed: the form is the server-rendered HTML until then.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/_next/static/**/*.js", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto("/signin", { waitUntil: "commit" });
  const email = page.getByRole("textbox", { name: "Email" });
  const submit = page.getByRole("button", { name: "Sign in for development" });
  await expect(submit).toBeDisabled();
  await email.fill("early@example.test");
  release();
  await expect(submit).toBeEnabled();
  await expect(email).toHaveValue("early@example.test");
  await submit.click();
  await expect(flowsHeading(page)).toBeVisible();
});

test("SSO sign-in, then create and rename a flow", async ({ page }) => {
  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Sign in to Streamware" })).toBeVisible();
  await page.getByRole("button", { name: "Continue with Test SSO" }).click();

  // The test identity provider (e2e/support/oidc-provider.ts).
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
  await page.getByRole("textbox", { name: "Login" }).fill("ada");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  // A provider asks for consent only the first time this account meets this client.
  const allow = page.getByRole("button", { name: "Allow" });
  await expect(allow.or(flowsHeading(page))).toBeVisible();
  if (await allow.isVisible()) await allow.click();

  await expect(flowsHeading(page)).toBeVisible();
  await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/w\/[^/]+\/?$/);
  const slug = workspaceSlug(page.url());
  await expect(page.getByRole("button", { name: /^Workspace:/ })).toHaveAccessibleName(/^Workspace:.*\bAda\b/i);

  await createFlow(page, { slug, name: "Sensor pipeline" });

  const newName = page.getByRole("textbox", { name: "New name for Sensor pipeline" });
  await page.getByRole("button", { name: "Rename Sensor pipeline" }).click();
  await newName.fill("Kitchen sensors");
  await newName.press("Enter");
  await expect(page.getByRole("link", { name: "Kitchen sensors" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sensor pipeline" })).toHaveCount(0);

  // The rename must be stored, not only shown.
  await page.reload();
  await expect(page.getByRole("link", { name: "Kitchen sensors" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sensor pipeline" })).toHaveCount(0);

  await page.screenshot({ path: "test-results/e2e/flows-list.png", fullPage: true });
});

test("a development sign-in lands in the user's own workspace, without another user's flows", async ({ page, context }) => {
  // Ada's flow is made here rather than relied on from the SSO journey, so this test stands alone.
  const adaSlug = await devSignIn(page, "ada@example.test");
  await createFlow(page, { slug: adaSlug, name: "Ada private flow" });
  await context.clearCookies();

  const graceSlug = await devSignIn(page, "grace@example.test");
  expect(graceSlug).not.toBe(adaSlug);
  await expect(page.getByRole("button", { name: /^Workspace:/ })).toHaveAccessibleName(/^Workspace:.*\bGrace\b/i);
  await expect(page.getByRole("link", { name: "Ada private flow" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Kitchen sensors" })).toHaveCount(0);

  // Knowing the address of Ada's workspace must not be enough to see into it.
  const response = await page.goto(`/w/${adaSlug}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("link", { name: "Ada private flow" })).toHaveCount(0);
});

test("an owner invites a viewer, who can open the workspace but not change it", async ({ page, context }) => {
  const ownerSlug = await devSignIn(page, "olga@example.test");
  await createFlow(page, { slug: ownerSlug, name: "Shared dashboard feed" });
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { name: "Members", exact: true })).toBeVisible();
  await page.getByRole("textbox", { name: "Email" }).fill("vera@example.test");
  await page.getByRole("combobox", { name: "Role" }).selectOption("viewer");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const link = await page.getByRole("textbox", { name: "Invitation link for vera@example.test" }).inputValue();
  await page.screenshot({ path: "test-results/e2e/workspace-members.png", fullPage: true });
  await context.clearCookies();

  await devSignIn(page, "vera@example.test");
  await page.goto(link);
  await page.getByRole("button", { name: "Accept and join" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${ownerSlug}$`));
  await expect(page.getByRole("link", { name: "Shared dashboard feed" })).toBeVisible();
  await expect(page.getByText("You are a viewer here")).toBeVisible();
  await expect(page.getByRole("button", { name: "New flow" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Rename Shared dashboard feed" })).toHaveCount(0);
});
