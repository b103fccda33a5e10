import { expect, test } from "@playwright/test";
import { ownWorkspace, signIn, trpc, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";

test.use({ viewport: DESKTOP });

test("a widget's settings change what it shows and keep its place, and a bad change is refused in the dialog", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("widget-settings"));
  const workspace = await ownWorkspace(page);
  const layout = { x: 3, y: 2, w: 4, h: 3 };
  const dashboard = await trpc<{ id: string }>(page, "mutation", "dashboard.create", {
    workspaceId: workspace.id,
    name: "Settings",
    widgets: [{ id: "load", kind: "stat", title: "Load", series: ["cpu load"], layout }],
  });
  await page.goto(`/w/${workspace.slug}/dashboards/${dashboard.id}`);
  const widget = page.getByRole("region", { name: "Load" });
  await expect(widget).toBeVisible();

  await widget.getByRole("button", { name: "Settings of Load" }).click();
  const dialog = page.getByRole("dialog", { name: "Widget settings" });
  await expect(dialog.getByRole("combobox", { name: "Series" })).toHaveValue("cpu load");
  await expect(dialog.getByRole("combobox", { name: "Show as" })).toHaveValue("stat");
  await snapThemes(page, testInfo, "widget settings dialog");

  // Series names hold no ";": the dialog says what is wrong and keeps the widget as it was.
  await dialog.getByRole("combobox", { name: "Series" }).fill("cpu; load");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("alert")).toContainText("A series name may hold letters, digits, spaces and . _ - / only");

  await dialog.getByRole("combobox", { name: "Series" }).fill("cpu load, memory load");
  await dialog.getByRole("combobox", { name: "Show as" }).selectOption({ label: "Time series" });
  await dialog.getByRole("textbox", { name: "Title" }).fill("Load and memory");
  await dialog.getByRole("textbox", { name: "Unit" }).fill("%");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("region", { name: "Load and memory" })).toBeVisible();

  await expect
    .poll(async () => (await trpc<{ widgets: unknown[] }>(page, "query", "dashboard.get", { workspaceId: workspace.id, dashboardId: dashboard.id })).widgets)
    .toEqual([{ id: "load", kind: "timeseries", title: "Load and memory", series: ["cpu load", "memory load"], unit: "%", layout }]);
  await page.reload();
  await expect(page.getByRole("region", { name: "Load and memory" })).toBeVisible();
});
