// A workspace's SAML single sign-on against a real SAML identity provider started here: the admin sets it up in the
// settings page from the IdP's metadata URL and downloads our SP metadata; a person of the claimed domain signs in
// with "Continue with SSO" through the IdP's login form and lands in the workspace; a refused answer is worded.
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { startSamlIdp, type SamlIdp } from "./support/saml-idp";
import { snapThemes } from "./support/screens";
import { continueWithSso, devSignIn, flowsHeading, signInInstanceAdmin, verifyDomain } from "./support/sso";

const appOrigin = process.env.E2E_APP_ORIGIN!;

let idp: SamlIdp;

test.beforeAll(async () => {
  idp = await startSamlIdp();
});

test.beforeAll(async ({ browser }) => signInInstanceAdmin(browser));

test.afterAll(async () => {
  await idp?.close();
});

test("an admin sets up SAML from the IdP's metadata URL, and a person signs in through the IdP into the workspace", async ({ page, browser }, testInfo) => {
  const slug = await devSignIn(page, "sam@admins-saml.test");
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Single sign-on" }).click();
  await expect(page.getByRole("heading", { name: "Single sign-on" })).toBeVisible();
  await page.getByRole("radio", { name: "SAML 2.0" }).check();
  await expect(page.getByText("Once saved, this page shows the entity ID and ACS URL to register")).toBeVisible();
  await snapThemes(page, testInfo, "saml settings empty");

  // Metadata that is not an IdP's is refused on its field, in words.
  await page.getByRole("radio", { name: "Paste XML" }).check();
  await page.getByRole("textbox", { name: "Metadata XML" }).fill("<html><body>Sign in</body></html>");
  await page.getByRole("textbox", { name: "Email domains" }).fill("saml-corp.test");
  await page.getByRole("button", { name: "Save single sign-on" }).click();
  await expect(page.getByRole("textbox", { name: "Metadata XML" })).toHaveAccessibleDescription(/root element is <html>, not a SAML 2\.0 <EntityDescriptor>/);
  await snapThemes(page, testInfo, "saml settings metadata error", { phone: false });

  await page.getByRole("radio", { name: "From a URL" }).check();
  await page.getByRole("textbox", { name: "Metadata URL" }).fill(idp.metadataUrl);
  await page.getByRole("button", { name: "Save single sign-on" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(page.getByText(`Signing in through ${idp.entityId} with 1 signing certificate.`)).toBeVisible();
  // A claim no instance administrator has verified yet signs nobody in; the page says what waits.
  await expect(page.getByRole("region", { name: "Domain verification" }).getByRole("listitem")).toHaveText(/saml-corp\.test\s*waiting for an instance administrator to verify it/);
  await snapThemes(page, testInfo, "saml settings domain waiting", { prepare: () => page.getByRole("region", { name: "Domain verification" }).scrollIntoViewIfNeeded() });

  // What to register at the IdP: the entity id and ACS address to copy, and the same in our metadata.
  const entityId = await page.getByRole("textbox", { name: "SP entity ID (audience)" }).inputValue();
  const acsUrl = await page.getByRole("textbox", { name: "ACS URL (HTTP-POST)" }).inputValue();
  expect(entityId).toMatch(new RegExp(`^${appOrigin}/api/sso/saml/[^/]+/metadata$`));
  expect(acsUrl).toBe(entityId.replace(/\/metadata$/, "/acs"));
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download SP metadata" }).click();
  const download = await downloading;
  const spMetadata = await readFile((await download.path())!, "utf8");
  expect(spMetadata).toContain(`entityID="${entityId}"`);
  expect(spMetadata).toContain(`Location="${acsUrl}"`);
  expect(spMetadata).toContain(`WantAssertionsSigned="true"`);
  await snapThemes(page, testInfo, "saml settings saved");

  await verifyDomain({ browser, domain: "saml-corp.test", workspace: "Sam's workspace" });
  await page.reload();
  await expect(page.getByRole("region", { name: "Domain verification" }).getByRole("listitem")).toHaveText(/saml-corp\.test\s*verified/);

  // A person of saml-corp, new here, goes to the IdP, types their email, and comes back signed in.
  const person = await browser.newContext();
  const personPage = await person.newPage();
  await continueWithSso(personPage, "grace.hopper@saml-corp.test");
  await expect(personPage).toHaveURL(new RegExp(`^${idp.ssoUrl}\\?SAMLRequest=`));
  await expect(personPage.getByText(`Signing in to ${entityId}`)).toBeVisible();
  await personPage.getByRole("textbox", { name: "Email" }).fill("grace.hopper@saml-corp.test");
  await snapThemes(personPage, testInfo, "saml idp login", { phone: false });
  await personPage.getByRole("button", { name: "Sign in" }).click();
  await expect(flowsHeading(personPage)).toBeVisible();
  await personPage.goto(`/w/${slug}`);
  await expect(flowsHeading(personPage)).toBeVisible();
  await expect(personPage.getByRole("button", { name: /^Workspace:/ })).toHaveAccessibleName("Workspace: Sam's workspace");
  await snapThemes(personPage, testInfo, "saml signed in");

  // The admin sees who joined through SAML in the audit log's words.
  await page.goto(`/w/${slug}/settings/audit`);
  await expect(page.getByText("sso.provision").first()).toBeVisible();
  await person.close();
});

test("a refused SAML answer comes back to the sign-in page in plain words", async ({ page }, testInfo) => {
  // The IdP vouches for an address outside the claimed domain: the shared policy refuses it.
  await continueWithSso(page, "ada@saml-corp.test");
  await expect(page).toHaveURL(new RegExp(`^${idp.ssoUrl}`));
  await page.getByRole("textbox", { name: "Email" }).fill("mallory@elsewhere.test");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/signin\?error=SsoDomainNotClaimed/);
  // Next's route announcer is an alert too, an empty one.
  await expect(page.getByRole("alert").filter({ hasText: /\w/ })).toContainText("does not accept");

  // An answer posted to the ACS without a sign-in begun here is refused before anything else.
  await continueWithSso(page, "ada@saml-corp.test");
  await expect(page).toHaveURL(new RegExp(`^${idp.ssoUrl}`));
  const redirectUrl = page.url();
  const forged = idp.answer({ redirectUrl, email: "ada@saml-corp.test", sign: "otherKey" });
  await page.setContent(
    `<form method="post" action="${forged.acsUrl}"><input type="hidden" name="SAMLResponse" value="${forged.SAMLResponse}"><input type="hidden" name="RelayState" value="${forged.RelayState}"><button>Post</button></form>`,
  );
  await page.getByRole("button", { name: "Post" }).click();
  await expect(page).toHaveURL(/\/signin\?error=SamlSignature/);
  await expect(page.getByRole("alert").filter({ hasText: /\w/ })).toContainText("was not signed with the certificate in this workspace's SAML settings");
  await snapThemes(page, testInfo, "saml sign-in refused", { phone: false });
});
