import { randomBytes } from "node:crypto";
import { type Page, expect, test } from "@playwright/test";
import { ownWorkspace, signIn, trpc, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";
import { publishingFlow } from "./support/dashboards";

test.use({ viewport: DESKTOP });

const SERIES = "boiler pressure";

test("a custom time range stays where it was put, keeps later points out, and lives in the page's address", async ({ page, request, context }, testInfo) => {
  await signIn(page, uniqueEmail("time-range"));
  const workspace = await ownWorkspace(page);
  const hookPath = `e2e/boiler-${randomBytes(4).toString("hex")}`;
  await publishingFlow(page, { workspaceId: workspace.id, hookPath, name: "Boiler", series: SERIES, field: "bar" });
  const stored = async () => (await trpc<{ series: string; points: number }[]>(page, "query", "dashboard.series", { workspaceId: workspace.id })).find((s) => s.series === SERIES)?.points ?? 0;
  const reading = async (bar: number) => expect((await request.post(`/hooks/${workspace.slug}/${hookPath}`, { data: { bar } })).status()).toBeLessThan(300);
  await reading(1.5);
  await reading(2.25);
  await expect.poll(stored).toBe(2);
  const dashboard = await trpc<{ id: string }>(page, "mutation", "dashboard.create", {
    workspaceId: workspace.id,
    name: "Boiler room",
    widgets: [{ id: "now", kind: "stat", title: "Pressure", series: [SERIES], layout: { x: 0, y: 0, w: 3, h: 2 } }],
  });
  const address = `/w/${workspace.slug}/dashboards/${dashboard.id}`;
  const pressure = (on: Page) => on.getByRole("region", { name: "Pressure" }).getByTestId("stat-value");

  // A link to the ten minutes up to the last reading: the custom range it names is the one shown.
  const end = Date.now();
  await page.goto(`${address}?from=${new Date(end - 600_000).toISOString()}&to=${new Date(end).toISOString()}`);
  const ranges = page.getByRole("group", { name: "Time range" });
  const custom = ranges.getByRole("button", { name: /–/ });
  await expect(custom).toHaveAttribute("aria-pressed", "true");
  await expect(ranges.getByRole("button", { name: "1 h" })).toHaveAttribute("aria-pressed", "false");
  await expect(pressure(page)).toHaveText("2.25");
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();

  // A reading after the range's end shows on a page following the clock, not on the custom one.
  const following = await context.newPage();
  await following.goto(`${address}?range=15m`);
  await expect(following.getByRole("group", { name: "Time range" }).getByRole("button", { name: "15 min" })).toHaveAttribute("aria-pressed", "true");
  await expect(following.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await reading(7);
  await expect(pressure(following)).toHaveText("7");
  await expect(pressure(page)).toHaveText("2.25");
  await following.close();

  // Kept through a reload, by its address.
  await page.reload();
  await expect(custom).toHaveAttribute("aria-pressed", "true");
  await expect(pressure(page)).toHaveText("2.25");

  // A preset follows the clock again, and the address says which.
  await ranges.getByRole("button", { name: "15 min" }).click();
  await expect(pressure(page)).toHaveText("7");
  await expect(page).toHaveURL(/[?&]range=15m(&|$)/);

  // A span typed backwards is refused with a message on the field to change; typed right, it is applied.
  await ranges.getByRole("button", { name: "Custom" }).click();
  const dialog = page.getByRole("dialog", { name: "Custom time range" });
  const from = dialog.getByLabel("From");
  const to = dialog.getByLabel("To");
  const before = await from.inputValue();
  await from.fill(await to.inputValue());
  await to.fill(before);
  await dialog.getByRole("button", { name: "Apply" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("The end must come after the start.");
  await expect(to).toHaveAttribute("aria-invalid", "true");
  await snapThemes(page, testInfo, "custom time range refused");
  await from.fill(before);
  await dialog.getByRole("button", { name: "End now" }).click();
  await dialog.getByRole("button", { name: "Apply" }).click();
  await expect(dialog).toBeHidden();
  await expect(custom).toHaveAttribute("aria-pressed", "true");
  await expect(page).toHaveURL(/[?&]from=[^&]+&to=/);
});
