import { randomBytes } from "node:crypto";
import { type Page, expect, test } from "@playwright/test";
import { ownWorkspace, signIn, trpc, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";
import { publishingFlow } from "./support/dashboards";

test.use({ viewport: DESKTOP });

const SERIES = "kitchen temperature";

async function addWidget(page: Page, { kind, title }: { kind: string; title: string }): Promise<void> {
  await page.getByRole("button", { name: "Add widget" }).click();
  const dialog = page.getByRole("dialog", { name: "Add widget" });
  await dialog.getByRole("combobox", { name: "Series" }).fill(SERIES);
  await dialog.getByRole("combobox", { name: "Show as" }).selectOption({ label: kind });
  await dialog.getByRole("textbox", { name: "Title" }).fill(title);
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog).toBeHidden();
}

test("a dashboard shows what a flow publishes, live, and keeps the layout an editor drags it into", async ({ page, request, browser }, testInfo) => {
  await signIn(page, uniqueEmail("dashboards"));
  const workspace = await ownWorkspace(page);
  const hookPath = `e2e/kitchen-${randomBytes(4).toString("hex")}`;
  await publishingFlow(page, { workspaceId: workspace.id, hookPath, name: "Kitchen sensor", series: SERIES, field: "celsius", unit: "°C" });
  const reading = async (celsius: number) => expect((await request.post(`/hooks/${workspace.slug}/${hookPath}`, { data: { celsius } })).status()).toBeLessThan(300);
  // A few readings first, so the series is known and the chart has a line.
  for (const celsius of [19.5, 20.25, 21, 20.5]) await reading(celsius);
  await expect.poll(async () => (await trpc<{ series: string; points: number }[]>(page, "query", "dashboard.series", { workspaceId: workspace.id })).find((s) => s.series === SERIES)?.points ?? 0).toBe(4);

  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Dashboards" }).click();
  await expect(page.getByRole("heading", { name: "Dashboards", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "New dashboard" }).click();
  const create = page.getByRole("dialog", { name: "New dashboard" });
  await create.getByRole("textbox", { name: "Dashboard name" }).fill("Kitchen");
  await create.getByRole("textbox", { name: /Description/ }).fill("Temperature by the stove");
  await create.getByRole("button", { name: "Create dashboard" }).click();
  await expect(page).toHaveURL(/\/dashboards\/[^/]+$/);
  const dashboardId = page.url().split("/").at(-1)!;
  await expect(page.getByRole("heading", { name: "Kitchen", exact: true })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();

  await page.getByRole("button", { name: "Add widget" }).click();
  await expect(page.getByRole("dialog", { name: "Add widget" }).getByText("4 points, the latest")).toBeVisible();
  await snapThemes(page, testInfo, "add widget dialog");
  await page.getByRole("dialog", { name: "Add widget" }).getByRole("button", { name: "Cancel" }).click();
  await addWidget(page, { kind: "Stat", title: "Kitchen now" });
  await addWidget(page, { kind: "Time series", title: "Kitchen over time" });
  const stat = page.getByRole("region", { name: "Kitchen now" });
  const chart = page.getByRole("region", { name: "Kitchen over time" });
  // The stream opens again for the series the saved widgets show.
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toHaveAttribute("title", `Live points of ${SERIES}`);
  await expect(stat.getByTestId("stat-value")).toHaveText("20.5°C");
  await expect(chart.getByRole("img", { name: "Kitchen over time: 4 points" })).toBeVisible();
  await expect(chart.locator("canvas")).toBeVisible();

  // A new reading shows on the open page without a reload: the marker set on this page survives.
  await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
  await reading(23.75);
  await expect(stat.getByTestId("stat-value")).toHaveText("23.75°C");
  await expect(chart.getByRole("img", { name: "Kitchen over time: 5 points" })).toBeVisible();
  expect(await page.evaluate(() => (window as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);

  // Renamed in place.
  await stat.getByRole("button", { name: "Rename Kitchen now" }).click();
  await stat.getByRole("textbox", { name: "Widget title" }).fill("By the stove");
  await stat.getByRole("textbox", { name: "Widget title" }).press("Enter");
  const renamed = page.getByRole("region", { name: "By the stove" });
  await expect(renamed).toBeVisible();

  // The chart sits under the stat; dragged by its title bar up beside it, it stays there after a reload.
  const statBox = (await renamed.boundingBox())!;
  const handle = chart.getByRole("heading", { name: "Kitchen over time" });
  const from = (await handle.boundingBox())!;
  await page.mouse.move(from.x + 20, from.y + from.height / 2);
  await page.mouse.down();
  const target = { x: statBox.x + statBox.width + 40, y: statBox.y + 10 };
  await page.mouse.move((from.x + target.x) / 2, (from.y + target.y) / 2, { steps: 8 });
  await page.mouse.move(target.x, target.y, { steps: 8 });
  await page.mouse.up();
  type Stored = { widgets: { title: string; layout: { x: number; y: number } }[] };
  const chartLayout = async () => (await trpc<Stored>(page, "query", "dashboard.get", { workspaceId: workspace.id, dashboardId })).widgets.find((w) => w.title === "Kitchen over time")?.layout;
  await expect.poll(chartLayout).toEqual(expect.objectContaining({ x: 3, y: 0 }));
  await page.reload();
  await expect(chart.getByRole("img", { name: /Kitchen over time: \d+ points/ })).toBeVisible();
  const [statAfter, chartAfter] = [(await renamed.boundingBox())!, (await chart.boundingBox())!];
  expect(Math.abs(chartAfter.y - statAfter.y)).toBeLessThan(2);
  expect(chartAfter.x).toBeGreaterThan(statAfter.x + statAfter.width);

  // The range picker asks again; a day still holds every reading.
  await page.getByRole("group", { name: "Time range" }).getByRole("button", { name: "24 h" }).click();
  await expect(page.getByRole("button", { name: "24 h" })).toHaveAttribute("aria-pressed", "true");
  await expect(chart.getByRole("img", { name: "Kitchen over time: 5 points" })).toBeVisible();

  // A table and a status light of the same series, so every kind is looked at.
  await addWidget(page, { kind: "Table", title: "Readings" });
  await addWidget(page, { kind: "Status light", title: "Sensor" });
  await expect(page.getByRole("region", { name: "Readings" }).getByRole("row")).toHaveCount(6);
  await expect(page.getByRole("region", { name: "Sensor" })).toContainText("OK");
  await snapThemes(page, testInfo, "dashboard");

  // Removed widgets are gone after a reload too.
  await page.getByRole("region", { name: "Sensor" }).getByRole("button", { name: "Remove Sensor" }).click();
  await expect(page.getByRole("region", { name: "Sensor" })).toBeHidden();
  await expect.poll(async () => (await trpc<Stored>(page, "query", "dashboard.get", { workspaceId: workspace.id, dashboardId })).widgets.length).toBe(3);

  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Dashboards" }).click();
  await expect(page.getByRole("list", { name: "Dashboards" }).getByRole("link", { name: /Kitchen/ })).toContainText("3 widgets");
  await snapThemes(page, testInfo, "dashboard list");

  // A viewer sees the dashboard, live, but is offered no changes.
  const viewerEmail = uniqueEmail("dashboards-viewer");
  const viewerContext = await browser.newContext({ viewport: DESKTOP });
  const viewer = await viewerContext.newPage();
  await signIn(viewer, viewerEmail);
  const { link } = await trpc<{ link: string }>(page, "mutation", "invitation.create", { workspaceId: workspace.id, email: viewerEmail, role: "viewer", linkBase: new URL(page.url()).origin });
  await trpc(viewer, "mutation", "invitation.accept", { token: new URL(link).pathname.split("/").at(-1) });
  await viewer.goto(`/w/${workspace.slug}/dashboards`);
  await expect(viewer.getByText("You are a viewer here: you can look at dashboards but not change them.")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "New dashboard" })).toHaveCount(0);
  await viewer.getByRole("link", { name: /Kitchen/ }).click();
  await expect(viewer.getByRole("region", { name: "By the stove" }).getByTestId("stat-value")).toHaveText("23.75°C");
  await expect(viewer.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await reading(18);
  await expect(viewer.getByRole("region", { name: "By the stove" }).getByTestId("stat-value")).toHaveText("18°C");
  await expect(viewer.getByRole("button", { name: "Add widget" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: /^(Rename|Remove) / })).toHaveCount(0);
  await viewerContext.close();
});
