// Two workspaces, each with its own OpenID provider started here, set up through the settings page; people sign in
// by their email's domain, land only where their provider's workspace is, and "require SSO" shuts the other doors.
import { type Browser, type Page, expect, test } from "@playwright/test";
import { startOidcProvider, type OidcProviderHandle } from "./support/oidc-provider";
import { snapThemes } from "./support/screens";
import { continueWithSso, devSignIn, flowsHeading, signInInstanceAdmin, verifyDomain } from "./support/sso";

const appOrigin = process.env.E2E_APP_ORIGIN!;
/** The page's own alert (Next's route announcer is an empty one). */
const alert = (page: Page) => page.getByRole("alert").filter({ hasText: /./ });

let alphaIdp: OidcProviderHandle;
let betaIdp: OidcProviderHandle;

test.beforeAll(async () => {
  alphaIdp = await startOidcProvider({ port: 0, appOrigins: [appOrigin], clientId: "streamware-alpha", emailDomain: "alpha-corp.test" });
  betaIdp = await startOidcProvider({ port: 0, appOrigins: [appOrigin], clientId: "streamware-beta", emailDomain: "beta-corp.test" });
});

test.beforeAll(async ({ browser }) => signInInstanceAdmin(browser));

test.afterAll(async () => {
  await alphaIdp?.close();
  await betaIdp?.close();
});

/** Fills the single sign-on form as an admin would and saves it. */
async function fillSso(page: Page, { idp, domains, issuer = idp.issuer }: { idp: OidcProviderHandle; domains: string; issuer?: string }) {
  await page.getByRole("textbox", { name: "Issuer URL" }).fill(issuer);
  await page.getByRole("textbox", { name: "Client ID" }).fill(idp.clientId);
  await page.getByLabel("Client secret").fill(idp.clientSecret);
  await page.getByRole("textbox", { name: "Email domains" }).fill(domains);
  await page.getByRole("button", { name: "Save single sign-on" }).click();
}

/** An admin sets up their workspace's SSO against `idp` and registers the redirect URI the page shows at the provider. */
async function configureSso({ browser, admin, idp, domain }: { browser: Browser; admin: string; idp: OidcProviderHandle; domain: string }): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const slug = await devSignIn(page, admin);
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Single sign-on" }).click();
  await expect(page.getByRole("heading", { name: "Single sign-on" })).toBeVisible();
  await fillSso(page, { idp, domains: domain });
  await expect(page.getByRole("status")).toHaveText("Saved.");
  const redirectUri = await page.getByRole("textbox", { name: "Redirect URI" }).inputValue();
  expect(redirectUri).toMatch(new RegExp(`^${appOrigin}/api/auth/callback/sso-\\w+$`));
  await idp.allowRedirect(redirectUri);
  await context.close();
  return slug;
}

/** At a test provider: signs in as `login`, allows the client when asked, and waits to be back at the app. */
async function atProvider(page: Page, { issuer, login }: { issuer: string; login: string }) {
  await expect(page).toHaveURL(new RegExp(`^${issuer}/interaction/`));
  await page.getByRole("textbox", { name: "Login" }).fill(login);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const allow = page.getByRole("button", { name: "Allow" });
  const backAtApp = (url: URL) => url.origin === new URL(appOrigin).origin;
  await Promise.race([page.waitForURL(backAtApp), allow.waitFor()]);
  if (await allow.isVisible()) await allow.click();
  await page.waitForURL(backAtApp);
}

test("a workspace's admin sets up OIDC, whose save errors are shown on their field", async ({ page }, testInfo) => {
  const slug = await devSignIn(page, "olivia@admins-settings.test");
  await page.goto(`/w/${slug}/settings/sso`);
  await expect(page.getByRole("heading", { name: "Single sign-on" })).toBeVisible();
  await snapThemes(page, testInfo, "sso settings empty");

  // A wrong issuer is read and refused on the issuer field; nothing is stored.
  await fillSso(page, { idp: alphaIdp, domains: "settings-corp.test", issuer: `${alphaIdp.issuer}/realms/missing` });
  const issuer = page.getByRole("textbox", { name: "Issuer URL" });
  await expect(issuer).toHaveAttribute("aria-invalid", "true");
  await expect(issuer).toHaveAccessibleDescription(/answered HTTP 404/);
  await expect(page.getByRole("textbox", { name: "Redirect URI" })).toHaveCount(0);
  await snapThemes(page, testInfo, "sso settings issuer error");

  await fillSso(page, { idp: alphaIdp, domains: "Settings-Corp.test\nnot-a-domain" });
  await expect(page.getByRole("textbox", { name: "Email domains" })).toHaveAccessibleDescription(/"not-a-domain" is not an email domain/);

  await fillSso(page, { idp: alphaIdp, domains: "Settings-Corp.test" });
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(page.getByRole("textbox", { name: "Email domains" })).toHaveValue("settings-corp.test");
  // Claimed by a workspace admin, the domain waits for an instance administrator.
  await expect(page.getByRole("region", { name: "Domain verification" }).getByRole("listitem")).toHaveText(/settings-corp\.test\s*waiting for an instance administrator to verify it/);
  await expect(page.getByRole("region", { name: "Domain verification" })).toContainText("Require single sign-on” does not apply");
  await expect(page.getByLabel("Client secret")).toHaveValue("");
  await expect(page.getByLabel("Client secret")).toHaveAccessibleDescription(/A secret is stored/);
  await snapThemes(page, testInfo, "sso settings saved", { prepare: () => page.evaluate(() => window.scrollTo(0, 0)) });

  // Removing it frees the domain for the journey below's workspaces.
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Remove single sign-on" }).click();
  await expect(page.getByRole("textbox", { name: "Redirect URI" })).toHaveCount(0);
  await expect(page.getByRole("textbox", { name: "Issuer URL" })).toHaveValue("");
});

test("people sign in by their domain's provider into its workspace only, and require SSO closes the other ways in", async ({ page, browser }, testInfo) => {
  const alphaSlug = await configureSso({ browser, admin: "ada@admins-alpha.test", idp: alphaIdp, domain: "alpha-corp.test" });
  const betaSlug = await configureSso({ browser, admin: "bert@admins-beta.test", idp: betaIdp, domain: "beta-corp.test" });

  // Someone of alpha-corp signed in by the development sign-in before SSO was required there.
  const early = await browser.newContext();
  const earlyPage = await early.newPage();
  await devSignIn(earlyPage, "road.runner@alpha-corp.test");

  await page.goto("/signin");
  await expect(page.getByRole("button", { name: "Continue with SSO" })).toBeVisible();
  await snapThemes(page, testInfo, "sign-in with sso");

  // An unknown domain is told so, in words.
  await continueWithSso(page, "someone@nowhere-corp.test");
  await expect(alert(page)).toHaveText(/No workspace here signs in people from nowhere-corp\.test/);

  // While no instance administrator has verified alpha's claim of alpha-corp, its provider signs nobody in.
  await continueWithSso(page, "wile.coyote@alpha-corp.test");
  await atProvider(page, { issuer: alphaIdp.issuer, login: "wile.coyote" });
  await expect(page).toHaveURL(/\/signin\?error=SsoDomainUnverified/);
  await expect(alert(page)).toContainText("Ask an instance administrator to verify the domain");
  await snapThemes(page, testInfo, "sign-in refused unverified domain", { phone: false });
  // The provider remembers who signed in there; forget it, so the next sign-in asks again.
  await page.context().clearCookies();
  await verifyDomain({ browser, domain: "alpha-corp.test", workspace: "Ada's workspace" }, testInfo);

  // Alpha's person goes to alpha's provider and lands with access to alpha's workspace, not beta's.
  await continueWithSso(page, "wile.coyote@alpha-corp.test");
  await atProvider(page, { issuer: alphaIdp.issuer, login: "wile.coyote" });
  await expect(flowsHeading(page)).toBeVisible();
  await page.goto(`/w/${alphaSlug}`);
  await expect(flowsHeading(page)).toBeVisible();
  await expect(page.getByRole("button", { name: /^Workspace:/ })).toHaveAccessibleName("Workspace: Ada's workspace");
  const intoBeta = await page.goto(`/w/${betaSlug}`);
  expect(intoBeta?.status()).toBe(404);
  await page.context().clearCookies();

  // Beta's provider vouching for an alpha-corp address gets nobody into anything.
  await continueWithSso(page, "eve@beta-corp.test");
  await atProvider(page, { issuer: betaIdp.issuer, login: "mallory@alpha-corp.test" });
  await expect(page).toHaveURL(/\/signin\?error=SsoDomainNotClaimed/);
  await expect(alert(page)).toContainText("does not accept");
  await snapThemes(page, testInfo, "sign-in refused other provider", { phone: false });

  // Alpha's admin requires SSO for alpha-corp.
  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await devSignIn(adminPage, "ada@admins-alpha.test");
  await adminPage.goto(`/w/${alphaSlug}/settings/sso`);
  await adminPage.getByRole("checkbox", { name: "Require single sign-on for these domains" }).check();
  await adminPage.getByRole("button", { name: "Save single sign-on" }).click();
  await expect(adminPage.getByRole("status")).toHaveText("Saved.");
  await expect(adminPage.getByRole("checkbox", { name: "Require single sign-on for these domains" })).toBeChecked();

  await adminPage.reload();
  await expect(adminPage.getByRole("region", { name: "Domain verification" }).getByRole("listitem")).toHaveText(/alpha-corp\.test\s*verified/);
  await snapThemes(adminPage, testInfo, "sso settings verified", { phone: false, prepare: () => adminPage.getByRole("region", { name: "Domain verification" }).scrollIntoViewIfNeeded() });
  await admin.close();

  // The development sign-in now refuses alpha-corp, with the way in named.
  await page.goto("/signin");
  await page.getByRole("textbox", { name: "Email" }).fill("wile.coyote@alpha-corp.test");
  await page.getByRole("button", { name: "Sign in for development" }).click();
  await expect(page).toHaveURL(/\/signin\?error=SsoRequired/);
  await expect(alert(page)).toContainText("requires its single sign-on");
  await snapThemes(page, testInfo, "sign-in sso required");

  // The session begun the other way no longer reaches alpha's workspace (nor anything else).
  await earlyPage.goto(`/w/${alphaSlug}`);
  await expect(earlyPage).toHaveURL(/\/signin\?.*error=SsoRequired/);
  await early.close();

  // The instance-wide provider is refused for alpha-corp too.
  await page.goto("/signin");
  await page.getByRole("button", { name: "Continue with Test SSO" }).click();
  await atProvider(page, { issuer: `http://127.0.0.1:${process.env.E2E_OIDC_PORT}`, login: "wile.coyote@alpha-corp.test" });
  await expect(page).toHaveURL(/\/signin\?error=SsoRequired/);

  // Through alpha's own SSO the same person still signs in.
  await continueWithSso(page, "wile.coyote@alpha-corp.test");
  await atProvider(page, { issuer: alphaIdp.issuer, login: "wile.coyote" });
  await page.goto(`/w/${alphaSlug}`);
  await expect(flowsHeading(page)).toBeVisible();
});
