import { readFile } from "node:fs/promises";
import { type Browser, type Locator, type Page, expect, test } from "@playwright/test";
import { freePort, startAppServer } from "./support/app-server";
import { signIn, trpc, uniqueEmail } from "./support/editor";
import { type OidcProviderHandle, startOidcProvider } from "./support/oidc-provider";
import { snapThemes } from "./support/screens";

// A fresh instance of its own: the shared server's first user is whichever journey signed in first.
test.describe("instance administration", () => {
  test.describe.configure({ timeout: 300_000 });
  let server: Awaited<ReturnType<typeof startAppServer>>;
  let sso: OidcProviderHandle;
  let origin: string;

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    // Its own identity provider too, which must know the app's address before the app starts.
    const port = await freePort();
    origin = `http://localhost:${port}`;
    sso = await startOidcProvider({ port: 0, appOrigins: [origin] });
    server = await startAppServer(() => ({ OIDC_ISSUER: sso.issuer, OIDC_CLIENT_ID: sso.clientId, OIDC_CLIENT_SECRET: sso.clientSecret, OIDC_NAME: "Test SSO" }), { port });
  });

  test.afterAll(async () => {
    await server?.close();
    await sso?.close();
  });

  /** Signs in through the identity provider as `login`, until Streamware shows what `landsOn` finds. */
  async function ssoSignIn(page: Page, { login, landsOn }: { login: string; landsOn: Locator }): Promise<void> {
    await page.goto("/signin");
    await page.getByRole("button", { name: "Continue with Test SSO" }).click();
    await page.getByRole("textbox", { name: "Login" }).fill(login);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    // The provider asks for consent when this account meets this client without a session there.
    const allow = page.getByRole("button", { name: "Allow" });
    await expect(allow.or(landsOn)).toBeVisible();
    if (await allow.isVisible()) await allow.click();
    await expect(landsOn).toBeVisible();
  }

  async function personOn(browser: Browser): Promise<Page> {
    const context = await browser.newContext({ baseURL: origin });
    return context.newPage();
  }

  test("the first user administers the instance: sees every workspace, disables a user who then cannot sign in, deletes a user handing their workspace over", async ({ browser }, testInfo) => {
    const admin = await personOn(browser);
    const adminEmail = uniqueEmail("root");
    await signIn(admin, adminEmail);
    await expect(admin.getByRole("link", { name: "Admin", exact: true })).toBeVisible();

    // Later users are not administrators: no link, and the page does not exist for them.
    const bob = await personOn(browser);
    const bobEmail = uniqueEmail("bob");
    await signIn(bob, bobEmail);
    await expect(bob.getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);
    expect((await bob.goto("/admin"))?.status()).toBe(404);
    await bob.goto("/");
    const [bobPersonal] = await trpc<{ id: string; name: string }[]>(bob, "query", "workspace.list");
    const relay = await trpc<{ id: string; slug: string }>(bob, "mutation", "workspace.create", { name: "Relay" });
    const carolEmail = uniqueEmail("carol");
    const { link } = await trpc<{ link: string }>(bob, "mutation", "invitation.create", { workspaceId: relay.id, email: carolEmail, role: "editor", linkBase: origin });
    const carol = await personOn(browser);
    await signIn(carol, carolEmail);
    await trpc(carol, "mutation", "invitation.accept", { token: new URL(link).pathname.split("/").at(-1) });
    const daveEmail = uniqueEmail("dave");
    const dave = await personOn(browser);
    await signIn(dave, daveEmail);
    const erinLogin = `erin-${daveEmail.slice(5, 13)}`;
    const erinEmail = `${erinLogin}@example.test`;
    const erin = await personOn(browser);
    await ssoSignIn(erin, { login: erinLogin, landsOn: erin.getByRole("heading", { name: "Flows", exact: true }) });

    // Users: everyone, with their workspaces and roles.
    await admin.getByRole("link", { name: "Admin", exact: true }).click();
    await expect(admin.getByRole("heading", { name: "Users" })).toBeVisible();
    const rows = admin.getByRole("table").getByRole("row");
    await expect(rows.filter({ hasText: adminEmail })).toContainText("Admin");
    await expect(rows.filter({ hasText: bobEmail })).toContainText("Relay owner");
    await expect(rows.filter({ hasText: carolEmail })).toContainText("Relay editor");
    await expect(rows).toHaveCount(6);
    await admin.getByRole("searchbox", { name: "Find users" }).fill("carol");
    await admin.getByRole("button", { name: "Search" }).click();
    await expect(rows).toHaveCount(2);
    await expect(admin.getByText("1–1 of 1 user")).toBeVisible();
    await admin.getByRole("searchbox", { name: "Find users" }).fill("");
    await admin.getByRole("button", { name: "Search" }).click();
    await expect(rows).toHaveCount(6);
    await snapThemes(admin, testInfo, "admin users");

    // Every workspace, whoever belongs to it; one opens with its members.
    await admin.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Workspaces" }).click();
    await expect(admin.getByRole("heading", { name: "Workspaces" })).toBeVisible();
    await expect(rows).toHaveCount(7);
    await expect(rows.filter({ hasText: "Relay" })).toContainText(relay.slug);
    await snapThemes(admin, testInfo, "admin workspaces");
    await admin.getByRole("link", { name: "Relay", exact: true }).click();
    await expect(admin.getByRole("heading", { name: "Relay" })).toBeVisible();
    await expect(admin.getByRole("region", { name: /Members/ }).getByRole("row").filter({ hasText: carolEmail })).toContainText("editor");
    await expect(admin.getByText("You are not a member")).toBeVisible();
    await snapThemes(admin, testInfo, "admin workspace detail", { phone: false });

    // Disabled, Dave is signed out at his next request and cannot sign in again.
    await admin.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Users" }).click();
    await admin.getByRole("button", { name: `Disable ${daveEmail}` }).click();
    await expect(rows.filter({ hasText: daveEmail })).toContainText("Disabled");
    await dave.reload();
    await expect(dave).toHaveURL(/\/signin/);
    const submit = dave.getByRole("button", { name: "Sign in for development" });
    await expect(submit).toBeEnabled();
    await dave.getByRole("textbox", { name: "Email" }).fill(daveEmail);
    await submit.click();
    await expect(dave.getByRole("main").getByRole("alert")).toHaveText("This account is disabled. Ask an administrator of this Streamware instance to enable it.");
    // The same through single sign-on.
    await admin.getByRole("button", { name: `Disable ${erinEmail}` }).click();
    await expect(rows.filter({ hasText: erinEmail })).toContainText("Disabled");
    await erin.context().clearCookies();
    await ssoSignIn(erin, { login: erinLogin, landsOn: erin.getByRole("main").getByRole("alert") });
    await expect(erin).toHaveURL(/\/signin\?.*error=AccountDisabled/);
    await expect(erin.getByRole("main").getByRole("alert")).toHaveText("This account is disabled. Ask an administrator of this Streamware instance to enable it.");

    // Deleting Bob: Relay goes to Carol, his personal workspace is deleted by typing its name.
    await admin.getByRole("button", { name: `Delete ${bobEmail}` }).click();
    const dialog = admin.getByRole("dialog", { name: `Delete ${bobEmail}` });
    await expect(dialog.getByRole("group", { name: "Relay" })).toBeVisible();
    await dialog.getByRole("combobox", { name: "New owner of Relay" }).selectOption({ label: `${carolEmail} (editor)` });
    await dialog.getByRole("textbox", { name: `Type ${bobPersonal!.name} to delete it` }).fill(bobPersonal!.name);
    const remove = dialog.getByRole("button", { name: "Delete user" });
    await expect(remove).toBeDisabled();
    await dialog.getByRole("textbox", { name: `Type ${bobEmail} to confirm` }).fill(bobEmail);
    await expect(remove).toBeEnabled();
    await snapThemes(admin, testInfo, "admin delete user");
    await remove.click();
    await expect(dialog).toHaveCount(0);
    await expect(rows.filter({ hasText: bobEmail })).toHaveCount(0);
    await carol.goto(`/w/${relay.slug}/settings/members`);
    await expect(carol.getByRole("row", { name: new RegExp(carolEmail) })).toContainText("owner");
    await bob.reload();
    await expect(bob).toHaveURL(/\/signin/);

    // The instance's audit chain shows all of it, filters it and exports it.
    await admin.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Audit log" }).click();
    await expect(admin.getByRole("heading", { name: "Audit log" })).toBeVisible();
    for (const action of ["user.delete", "workspace.delete", "user.disable", "auth.signInFailed", "auth.signIn", "user.create"]) {
      await expect(rows.filter({ hasText: action }).first()).toBeVisible();
    }
    await expect(rows.filter({ hasText: "user.disable" })).toHaveCount(2);
    await expect(rows.filter({ hasText: "user.disable" }).filter({ hasText: erinEmail })).toContainText(adminEmail);
    await expect(rows.filter({ hasText: "auth.signInFailed" }).filter({ hasText: erinEmail })).toBeVisible();
    await admin.getByLabel("Action").fill("user.d");
    await admin.getByRole("button", { name: "Filter" }).click();
    await expect(rows).toHaveCount(4);
    const download = admin.waitForEvent("download");
    await admin.getByRole("button", { name: "Export CSV" }).click();
    const csv = await readFile((await (await download).path())!, "utf8");
    expect(csv).toContain(",user.delete,");
    expect(csv).toContain(",user.disable,");
    await expect(admin.getByRole("status")).toHaveText("Exported 3 events.");
    await admin.getByLabel("Action").fill("");
    await admin.getByRole("button", { name: "Filter" }).click();
    await snapThemes(admin, testInfo, "admin audit log");
  });

  test("a person creates, renames, switches between and deletes workspaces", async ({ browser }, testInfo) => {
    const page = await personOn(browser);
    await signIn(page, uniqueEmail("maker"));
    const home = new URL(page.url()).pathname;

    await page.getByRole("button", { name: /^Workspace: / }).click();
    await page.getByLabel("Workspace name").fill("Field ops");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await expect(page).toHaveURL(/\/w\/field-ops[\w-]*$/);
    const slug = new URL(page.url()).pathname.split("/")[2]!;

    await page.getByRole("link", { name: "Settings" }).click();
    const tabs = page.getByRole("navigation", { name: "Settings" });
    for (const tab of ["General", "Members", "Audit log"]) await expect(tabs.getByRole("link", { name: tab, exact: true })).toBeVisible();
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Field operations");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect(page.getByRole("button", { name: "Workspace: Field operations" })).toBeVisible();
    await snapThemes(page, testInfo, "workspace general settings");
    await tabs.getByRole("link", { name: "Members" }).click();
    await expect(page.getByRole("heading", { name: "Members", exact: true })).toBeVisible();
    await snapThemes(page, testInfo, "workspace members settings", { phone: false });

    // Switch to the personal workspace and back.
    await page.getByRole("button", { name: "Workspace: Field operations" }).click();
    await page.getByRole("link", { name: /'s workspace/ }).click();
    await expect(page).toHaveURL(new RegExp(`${home}$`));
    await page.getByRole("button", { name: /^Workspace: / }).click();
    await page.getByRole("link", { name: /^Field operations/ }).click();
    await expect(page).toHaveURL(new RegExp(`/w/${slug}$`));

    await page.goto(`/w/${slug}/settings`);
    const danger = page.getByRole("region", { name: "Delete this workspace" });
    await danger.getByRole("textbox", { name: "Workspace name" }).fill("Field operations");
    await danger.getByRole("button", { name: "Delete workspace" }).click();
    await expect(page).toHaveURL(new RegExp(`${home}$`));
    await page.getByRole("button", { name: /^Workspace: / }).click();
    await expect(page.getByRole("link", { name: /^Field operations/ })).toHaveCount(0);
  });
});
