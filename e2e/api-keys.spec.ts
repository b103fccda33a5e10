import { expect, request, test } from "@playwright/test";
import { signIn, snap, uniqueEmail } from "./support/editor";
import { snapThemes } from "./support/screens";

const manualFlow = {
  schema: "streamware.flow/1",
  nodes: [
    { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
    { id: "wait", name: "Short wait", type: "core.delay", position: { x: 220, y: 0 }, config: { ms: 10 } },
  ],
  edges: [{ id: "e1", source: "start", target: "wait" }],
};

test("an admin makes an API key in settings, a program outside the browser lists flows and starts a run with it, the key is revoked and then refused, and the audit log shows it all", async ({ page, baseURL }, testInfo) => {
  await signIn(page, uniqueEmail("api-admin"));
  const slug = new URL(page.url()).pathname.split("/")[2]!;

  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();
  await expect(page.getByText("No keys yet.")).toBeVisible();

  await page.getByLabel("Name").fill("Nightly import");
  await page.getByRole("checkbox", { name: /^run/ }).check();
  await page.getByRole("checkbox", { name: /^write/ }).check();
  await page.getByLabel("Expires after").selectOption("30");
  await page.getByRole("button", { name: "Create key" }).click();
  const secretField = page.getByRole("textbox", { name: "Secret of the key Nightly import" });
  await expect(secretField).toHaveValue(/^swk_[\w-]{43}$/);
  const secret = await secretField.inputValue();
  const listed = page.getByRole("listitem", { name: "API key Nightly import" });
  await expect(listed).toContainText(secret.slice(0, 12));
  await expect(listed).toContainText("never used");
  for (const scope of ["read", "run", "write"]) await expect(listed.getByText(scope, { exact: true })).toBeVisible();
  await snapThemes(page, testInfo, "api-key-created");
  await snapThemes(page, testInfo, "api-keys-list", { prepare: () => listed.scrollIntoViewIfNeeded() });

  // A program with no cookies: Playwright's own HTTP client, outside the browser.
  const program = await request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${secret}`, "user-agent": "nightly-import/1.0" } });
  const created = await program.post("/api/v1/flows", { data: { name: "Imported by a program", document: manualFlow } });
  expect(created.status()).toBe(201);
  const flowId = ((await created.json()) as { id: string }).id;
  const flows = await program.get("/api/v1/flows");
  expect(flows.status()).toBe(200);
  expect(((await flows.json()) as { id: string; name: string }[]).map((f) => f.name)).toContain("Imported by a program");
  const started = await program.post("/api/v1/runs", { data: { flowId, input: { batch: 7 } } });
  expect(started.status()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => ((await (await program.get(`/api/v1/runs/${runId}`)).json()) as { status: string }).status).toBe("succeeded");
  expect((await program.get("/api/v1/flows")).headers()["ratelimit-limit"]).toBeTruthy();

  // The reference the key's page links to, rendered from the generated document by the bundled viewer.
  await page.getByRole("link", { name: "Open the API reference" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${slug}/settings/api-keys/reference$`));
  await expect(page.getByRole("heading", { name: "Streamware REST API" })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText("List flows").first()).toBeVisible();
  await snapThemes(page, testInfo, "api-reference");
  await page.getByRole("link", { name: "Manage API keys" }).click();

  // Last use is on the list; revoking asks first.
  await expect(listed).toContainText("last used");
  await listed.getByRole("button", { name: "Revoke Nightly import" }).click();
  const confirm = listed.getByRole("alertdialog");
  await expect(confirm).toContainText("Programs using it are refused from now on");
  await confirm.scrollIntoViewIfNeeded();
  await snap(page, testInfo, "api-key-revoke-confirm");
  await confirm.getByRole("button", { name: "Revoke key" }).click();
  await expect(listed).toContainText("Revoked");
  await expect(listed.getByRole("button", { name: "Revoke Nightly import" })).toHaveCount(0);

  const refused = await program.get("/api/v1/flows");
  expect(refused.status()).toBe(401);
  expect(((await refused.json()) as { error: { code: string; message: string } }).error).toEqual({ code: "UNAUTHORIZED", message: expect.stringContaining("revoked") });
  await program.dispose();

  // The audit log: the key made and revoked by the admin, the flow and the run by the key itself.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Audit log" }).click();
  const rows = page.getByRole("table").getByRole("row");
  await expect(rows.filter({ hasText: "apiKey.create" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "apiKey.revoke" })).toHaveCount(1);
  const runStart = rows.filter({ hasText: "run.start" });
  await expect(runStart).toContainText("Nightly import");
  await expect(runStart).toContainText("(API key)");
  // The address is shown; the program's user agent is in the cell's title.
  await expect(runStart.locator('[title="nightly-import/1.0"]')).toContainText("127.0.0.1");
  await expect(rows.filter({ hasText: "flow.create" })).toContainText("Nightly import");
  await snap(page, testInfo, "api-key-audit-log");
  // The actor filter finds a key by its name.
  await page.getByLabel("Actor").fill("nightly");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(rows.filter({ hasText: "(API key)" })).toHaveCount(2);
  await expect(rows.filter({ hasText: "apiKey.create" })).toHaveCount(0);
});
