import { type Page, expect, test } from "@playwright/test";
import { canvasNode, ownWorkspace, signIn, trpc, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";

test.use({ viewport: DESKTOP });

const manual = { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } };
const flows = {
  "Nightly report": { nodes: [manual, { id: "sum", type: "core.set", name: "Sum", position: { x: 260, y: 0 }, config: { fields: [{ name: "total", value: 3 }] } }], edges: [{ id: "e1", source: "start", target: "sum" }] },
  "Flaky import": { nodes: [manual, { id: "boom", type: "core.code", name: "Import", position: { x: 260, y: 0 }, config: { code: "throw new Error('The import source is down');" } }], edges: [{ id: "e1", source: "start", target: "boom" }] },
  "Order hook": { nodes: [{ id: "hook", type: "core.webhook", name: "Orders", position: { x: 0, y: 0 }, config: { path: "orders" } }], edges: [] },
};

/** Stores the flows and runs them: 52 nightly reports, one failed import and one test webhook call. */
async function seed(page: Page) {
  const workspace = await ownWorkspace(page);
  const ids: Record<string, string> = {};
  for (const [name, document] of Object.entries(flows)) {
    ids[name] = (await trpc<{ id: string }>(page, "mutation", "flow.create", { workspaceId: workspace.id, name, document: { schema: "streamware.flow/1", ...document } })).id;
  }
  const start = (flowId: string) => trpc(page, "mutation", "run.start", { workspaceId: workspace.id, flowId });
  await start(ids["Flaky import"]!);
  for (let i = 0; i < 52; i += 13) await Promise.all(Array.from({ length: 13 }, () => start(ids["Nightly report"]!)));
  await trpc(page, "mutation", "webhookTest.listen", { workspaceId: workspace.id, flowId: ids["Order hook"] });
  const called = await page.evaluate(async (url) => (await fetch(url, { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status, `/hooks-test/${workspace.slug}/orders`);
  expect(called).toBe(202);
  // Every run has finished before the page is looked at.
  await expect
    .poll(async () => (await trpc<{ runs: { status: string }[] }>(page, "query", "run.list", { workspaceId: workspace.id, limit: 100 })).runs.filter((r) => r.status === "succeeded" || r.status === "failed").length, { timeout: 30_000 })
    .toBe(54);
  return { workspace, ids };
}

test("the workspace's runs: filters in the URL, paging, retry from the failed node, bulk delete, and what a viewer may do", async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  await signIn(page, uniqueEmail("runs-owner"));
  const { workspace } = await seed(page);

  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Runs" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${workspace.slug}/runs$`));
  await expect(page.getByRole("heading", { name: "Runs", exact: true })).toBeVisible();
  const list = page.getByRole("region", { name: "Runs" });
  const rows = list.getByRole("listitem");
  await expect(rows).toHaveCount(50);
  await snapThemes(page, testInfo, "runs page");

  // Filters go into the URL, so the view survives a reload and can be shared.
  await page.getByRole("combobox", { name: "Status" }).selectOption("failed");
  await expect(page).toHaveURL(/\?status=failed$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Flaky import");
  await expect(rows.first()).toContainText("The import source is down");
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Status" })).toHaveValue("failed");
  await expect(rows).toHaveCount(1);
  await snapThemes(page, testInfo, "runs page failed", { phone: false });

  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.getByRole("combobox", { name: "Trigger" }).selectOption("test webhook");
  await expect(page).toHaveURL(/\?trigger=test\+webhook$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Order hook");
  const today = new Date().toLocaleDateString("en-CA");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.getByLabel("From", { exact: true }).fill("2020-01-01");
  await page.getByLabel("To", { exact: true }).fill("2020-01-31");
  await expect(page.getByText("No runs match these filters.")).toBeVisible();
  await page.getByLabel("To", { exact: true }).fill(today);
  await expect(rows).toHaveCount(50);

  // Retry the failed run from its failed node; the new run opens in its flow's editor.
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.getByRole("combobox", { name: "Flow" }).selectOption({ label: "Flaky import" });
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole("button", { name: /^Retry from the failed node/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "Retry started from the failed node." })).toBeVisible();
  await expect(rows).toHaveCount(2);
  await page.getByRole("link", { name: "Open the new run" }).click();
  await expect(page).toHaveURL(/\/flows\/[^/?]+\?run=/);
  await expect(page.getByRole("region", { name: "Run view" })).toContainText("failed");
  await expect(canvasNode(page, "Start")).toHaveAccessibleName(/, succeeded/);
  await expect(canvasNode(page, "Import")).toHaveAccessibleName(/, failed/);
  await page.goBack();

  // Paging, then every run that matches the filter, deleted in one go.
  await page.goto(`/w/${workspace.slug}/runs`);
  await page.getByRole("combobox", { name: "Flow" }).selectOption({ label: "Nightly report" });
  await expect(rows).toHaveCount(50);
  await page.getByRole("button", { name: "Load more runs" }).click();
  await expect(rows).toHaveCount(52);
  await page.reload();
  await expect(rows).toHaveCount(50);
  await page.getByRole("checkbox", { name: "Select all shown" }).check();
  await page.getByRole("button", { name: "Select all runs that match the filters" }).click();
  await page.getByRole("button", { name: "Delete…" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete runs?" });
  await expect(confirm).toContainText("every finished run that matches the filters");
  await snapThemes(page, testInfo, "runs page delete confirmation", { phone: false });
  await confirm.getByRole("button", { name: "Delete runs" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 52 runs." })).toBeVisible();
  await expect(page.getByText("No runs match these filters.")).toBeVisible();

  // Selected rows only.
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(rows).toHaveCount(3);
  await rows.filter({ hasText: "Order hook" }).getByRole("checkbox").check();
  await page.getByRole("button", { name: "Delete…" }).click();
  await expect(confirm).toContainText("Delete 1 run?");
  await confirm.getByRole("button", { name: "Delete runs" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 1 run." })).toBeVisible();
  await expect(rows).toHaveCount(2);

  // A viewer sees the runs but can neither retry nor delete them; their own workspace shows none of them.
  const viewerEmail = uniqueEmail("runs-viewer");
  const viewerContext = await browser.newContext({ viewport: DESKTOP });
  const viewer = await viewerContext.newPage();
  await signIn(viewer, viewerEmail);
  const own = await ownWorkspace(viewer);
  await trpc(page, "mutation", "workspace.setMember", { workspaceId: workspace.id, email: viewerEmail, role: "viewer" });
  await viewer.goto(`/w/${workspace.slug}/runs`);
  const viewerRows = viewer.getByRole("region", { name: "Runs" }).getByRole("listitem");
  await expect(viewerRows).toHaveCount(2);
  await expect(viewer.getByRole("button", { name: /^Retry/ })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Delete…" })).toHaveCount(0);
  await expect(viewer.getByRole("checkbox")).toHaveCount(0);
  await viewer.goto(`/w/${own.slug}/runs`);
  await expect(viewer.getByText("No runs yet.")).toBeVisible();
  await viewerContext.close();
});
