import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Page, expect, test } from "@playwright/test";
import { ownWorkspace, signIn, snap, trpc, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";
import { publishingFlow } from "./support/dashboards";

test.use({ viewport: DESKTOP });

const SERIES = "greenhouse humidity";

/** A manual flow that answers "Watering started", saved and live: what the dashboard's buttons start. */
async function wateringFlow(page: Page, workspaceId: string): Promise<string> {
  const document = {
    schema: "streamware.flow/1",
    nodes: [
      { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
      { id: "answer", type: "core.set", name: "Answer", position: { x: 280, y: 0 }, config: { fields: [{ name: "answer", value: "Watering started" }] } },
    ],
    edges: [{ id: "e1", source: "start", target: "answer" }],
  };
  const flow = await trpc<{ id: string }>(page, "mutation", "flow.create", { workspaceId, name: "Watering", document });
  await trpc(page, "mutation", "flow.saveVersion", { workspaceId, flowId: flow.id, document, message: "" });
  await trpc(page, "mutation", "flow.activate", { workspaceId, flowId: flow.id, versionNumber: 1 });
  return flow.id;
}

/**
 * Another site, on this machine: a page that shows `?src=` in an iframe. It answers by 127.0.0.1 and by localhost,
 * two origins, so that one may be allowed to embed the dashboard and the other not.
 */
async function intranetSite(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const src = new URL(req.url ?? "/", "http://x").searchParams.get("src") ?? "";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html><head><title>Intranet</title></head><body style="margin:0;font-family:sans-serif"><h1 style="margin:12px">Our intranet</h1>` +
        `<iframe id="board" src="${src.replace(/"/g, "&quot;")}" title="Greenhouse board" style="width:100%;height:700px;border:0"></iframe></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test("a share link shows the dashboard signed out, branded and live, embeds only where allowed, and stops once revoked", async ({ page, request, browser, baseURL }, testInfo) => {
  const site = await intranetSite();
  const INTRANET = `http://127.0.0.1:${site.port}`;
  const ELSEWHERE = `http://localhost:${site.port}`;
  await signIn(page, uniqueEmail("sharer"));
  const workspace = await ownWorkspace(page);
  const hookPath = `e2e/greenhouse-${randomBytes(4).toString("hex")}`;
  await publishingFlow(page, { workspaceId: workspace.id, hookPath, name: "Greenhouse sensor", series: SERIES, field: "humidity", unit: "%" });
  const reading = async (humidity: number) => expect((await request.post(`/hooks/${workspace.slug}/${hookPath}`, { data: { humidity } })).status()).toBeLessThan(300);
  for (const humidity of [61, 63.5, 64]) await reading(humidity);
  await expect.poll(async () => (await trpc<{ series: string; points: number }[]>(page, "query", "dashboard.series", { workspaceId: workspace.id })).find((s) => s.series === SERIES)?.points ?? 0).toBe(3);
  const watering = await wateringFlow(page, workspace.id);
  const dashboard = await trpc<{ id: string }>(page, "mutation", "dashboard.create", {
    workspaceId: workspace.id,
    name: "Greenhouse",
    description: "Humidity under glass",
    widgets: [
      { id: "now", kind: "stat", title: "Humidity now", series: [SERIES], unit: "%", layout: { x: 0, y: 0, w: 4, h: 2 } },
      { id: "trend", kind: "timeseries", title: "Humidity over time", series: [SERIES], layout: { x: 4, y: 0, w: 8, h: 4 } },
      { id: "water", kind: "button", title: "Water", series: [], action: { flowId: watering, shared: true, label: "Water the beds" }, layout: { x: 0, y: 2, w: 4, h: 2 } },
      { id: "vents", kind: "button", title: "Vents", series: [], action: { flowId: watering, shared: false, label: "Open the vents" }, layout: { x: 0, y: 4, w: 4, h: 2 } },
    ],
  });

  // Branding, in the workspace's settings.
  await page.goto(`/w/${workspace.slug}/settings`);
  const branding = page.getByRole("region", { name: "Shared dashboards" });
  await branding.getByRole("textbox", { name: "Display name" }).fill("Green Acres");
  await branding.getByRole("textbox", { name: "Accent colour", exact: true }).fill("#0f766e");
  await branding.getByRole("button", { name: "Save branding" }).click();
  await expect(branding.getByRole("status")).toHaveText("Saved");
  await snapThemes(page, testInfo, "branding settings", { prepare: () => branding.scrollIntoViewIfNeeded() });

  // A link, made in the share dialog, shown once.
  await page.goto(`/w/${workspace.slug}/dashboards/${dashboard.id}`);
  await page.getByRole("button", { name: "Share", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Share Greenhouse" });
  await dialog.getByRole("textbox", { name: "Name (optional)" }).fill("Lobby screen");
  await dialog.getByRole("combobox", { name: "Expires" }).selectOption({ label: "In a week" });
  await dialog.getByRole("button", { name: "Create link" }).click();
  const link = await dialog.getByRole("textbox", { name: "Link", exact: true }).inputValue();
  expect(link).toMatch(new RegExp(`^${baseURL}/s/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  await expect(dialog.getByRole("textbox", { name: "Embed", exact: true })).toHaveValue(`<iframe src="${link}" title="Greenhouse" width="100%" height="600" style="border:0" loading="lazy"></iframe>`);
  const links = dialog.getByRole("list", { name: "Share links" });
  await expect(links.getByRole("listitem")).toHaveCount(1);
  await expect(links.getByRole("listitem").first()).toContainText("Lobby screen");
  await expect(links.getByRole("listitem").first()).toContainText("Active");
  await dialog.getByRole("textbox", { name: "Pages that may embed it" }).fill(INTRANET);
  await dialog.getByRole("button", { name: "Save origins" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Saved");
  await snapThemes(page, testInfo, "share dialog");

  // Signed out, in a browser of its own: the dashboard, branded, with the widget's value, live.
  const outsider = await browser.newContext({ viewport: DESKTOP });
  const viewer = await outsider.newPage();
  const opened = await viewer.goto(link);
  expect(opened?.status()).toBe(200);
  expect(opened?.headers()["content-security-policy"]).toBe(`frame-ancestors ${INTRANET}`);
  await expect(viewer.getByRole("heading", { name: "Greenhouse", exact: true })).toBeVisible();
  await expect(viewer.getByText("Green Acres")).toBeVisible();
  const stat = viewer.getByRole("region", { name: "Humidity now" });
  await expect(stat.getByTestId("stat-value")).toHaveText("64%");
  await expect(viewer.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await reading(66.5);
  await expect(stat.getByTestId("stat-value")).toHaveText("66.5%");
  await expect(viewer.getByRole("region", { name: "Humidity over time" }).getByRole("img", { name: "Humidity over time: 4 points" })).toBeVisible();
  // A control widget acts only where its owner let shared links start it.
  const vents = viewer.getByRole("region", { name: "Vents" }).getByRole("button", { name: "Open the vents" });
  await expect(vents).toBeDisabled();
  await expect(vents).toHaveAccessibleDescription(/Not available from a shared link/);
  const water = viewer.getByRole("region", { name: "Water" });
  await water.getByRole("button", { name: "Water the beds" }).click();
  await expect(water.getByTestId("widget-result")).toContainText("Watering started");
  const started = await trpc<{ runs: { status: string }[] }>(page, "query", "run.list", { workspaceId: workspace.id, flowId: watering });
  expect(started.runs).toEqual([expect.objectContaining({ status: "succeeded" })]);
  const refused = await viewer.request.post(`/api/share/${link.split("/s/")[1]}/widgets/vents/act`, { data: { input: {} } });
  expect(refused.status()).toBe(403);
  // The link reads only its dashboard's series; nothing leads back into the workspace.
  const token = link.split("/s/")[1]!;
  const other = await viewer.request.get(`/api/share/${token}/points?series=payroll&from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`);
  expect(other.status()).toBe(404);
  expect((await viewer.request.get(`/w/${workspace.slug}/dashboards/${dashboard.id}`, { maxRedirects: 0 })).status()).not.toBe(200);
  await snapThemes(viewer, testInfo, "shared dashboard");

  // Embedded by an allowed origin it shows; by another, the browser refuses to frame it.
  const intranet = await outsider.newPage();
  await intranet.goto(`${INTRANET}/board?src=${encodeURIComponent(link)}`);
  await expect(intranet.frameLocator("#board").getByRole("region", { name: "Humidity now" }).getByTestId("stat-value")).toHaveText("66.5%");
  await snap(intranet, testInfo, "shared dashboard embedded by an allowed origin");
  const elsewhere = await outsider.newPage();
  await elsewhere.goto(`${ELSEWHERE}/board?src=${encodeURIComponent(link)}`);
  // A frame the policy refuses is replaced by the browser's own error page.
  await expect.poll(() => elsewhere.frames().find((frame) => frame !== elsewhere.mainFrame())?.url()).toMatch(/^chrome-error:/);
  await expect(elsewhere.frameLocator("#board").getByRole("heading", { name: "Greenhouse" })).toHaveCount(0);

  // Revoked in the dialog: the open page says so, and the link answers like a missing one.
  page.once("dialog", (confirm) => void confirm.accept());
  await links.getByRole("button", { name: "Revoke" }).click();
  await expect(links.getByRole("listitem").first()).toContainText("Revoked");
  const gone = await viewer.reload();
  expect(gone?.status()).toBe(404);
  await expect(viewer.getByRole("heading", { name: "Shared dashboard not found" })).toBeVisible();
  const says = () => viewer.getByRole("alert").filter({ hasText: "shared dashboard" });
  const revokedSays = await says().textContent();
  const madeUp = await viewer.goto(`/s/${"x".repeat(24)}.${"y".repeat(22)}`);
  expect(madeUp?.status()).toBe(404);
  await expect(says()).toHaveText(revokedSays!);
  expect((await viewer.request.get(`/api/share/${token}/dashboard`)).status()).toBe(404);
  await snap(viewer, testInfo, "revoked share link");
  await outsider.close();
  await site.close();
});
