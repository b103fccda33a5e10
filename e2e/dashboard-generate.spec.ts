import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type Locator, type Page, expect, test } from "@playwright/test";
import { canvasNode, canvasNodes, ownWorkspace, signIn, trpc, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";

test.use({ viewport: DESKTOP });

/** A two-second HLS stream made by ffmpeg, served on loopback with the CORS headers hls.js needs. */
async function serveTestStream(): Promise<{ url: string; close: () => Promise<void> }> {
  const folder = await mkdtemp(path.join(tmpdir(), "streamware-hls-"));
  await promisify(execFile)("ffmpeg", [
    "-loglevel", "error",
    "-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10",
    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10",
    "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
    path.join(folder, "live.m3u8"),
  ]);
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url ?? "/", "http://localhost").pathname);
    readFile(path.join(folder, name)).then(
      (body) => {
        res.writeHead(200, { "content-type": name.endsWith(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t", "access-control-allow-origin": "*" });
        res.end(body);
      },
      () => {
        res.writeHead(404).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/live.m3u8`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** Where a widget is once it has stopped moving (the grid animates a widget into place). */
async function settled(locator: Locator): Promise<{ x: number; y: number }> {
  let last = "";
  await expect
    .poll(async () => {
      const box = await locator.boundingBox();
      const now = JSON.stringify(box && { x: Math.round(box.x), y: Math.round(box.y) });
      const still = now === last;
      last = now;
      return still;
    })
    .toBe(true);
  return JSON.parse(last) as { x: number; y: number };
}

/** Saves and activates a flow of one webhook trigger: what the webhook receives is what the flow sends out. */
async function webhookFlow(page: Page, workspaceId: string, hookPath: string): Promise<string> {
  const document = {
    schema: "streamware.flow/1",
    nodes: [{ id: "hook", type: "core.webhook", name: "Shop", position: { x: 0, y: 0 }, config: { path: hookPath, respond: "immediately" } }],
    edges: [],
  };
  const flow = await trpc<{ id: string }>(page, "mutation", "flow.create", { workspaceId, name: "Shop orders", document });
  await trpc(page, "mutation", "flow.saveVersion", { workspaceId, flowId: flow.id, document, message: "" });
  await trpc(page, "mutation", "flow.activate", { workspaceId, flowId: flow.id, versionNumber: 1 });
  return flow.id;
}

test("a dashboard generated from a flow's outputs updates live and keeps its layout", async ({ page, request }, testInfo) => {
  const stream = await serveTestStream();
  try {
    await signIn(page, uniqueEmail("dashboard-generate"));
    const workspace = await ownWorkspace(page);
    const hookPath = `e2e/shop-${randomBytes(4).toString("hex")}`;
    const flowId = await webhookFlow(page, workspace.id, hookPath);
    // Nothing listens on port 9 of loopback.
    await trpc(page, "mutation", "credential.create", { workspaceId: workspace.id, name: "Local model", type: "openai.api", data: { apiKey: "sk-test", baseUrl: "http://127.0.0.1:9/v1" } });
    const send = async (body: object) => expect((await request.post(`/hooks/${workspace.slug}/${hookPath}`, { data: body })).status()).toBeLessThan(300);

    // Before any run there is nothing to propose from, and the dialog says so.
    await page.goto(`/w/${workspace.slug}/dashboards`);
    await page.getByRole("button", { name: "From a flow…" }).click();
    const dialog = page.getByRole("dialog", { name: "Create dashboard from a flow" });
    await dialog.getByRole("combobox", { name: "Flow" }).selectOption({ label: "Shop orders" });
    await expect(dialog.getByText("This flow has no successful run yet")).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Run the flow now" })).toBeVisible();
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(dialog).toBeHidden();

    const orders = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `order-${n}-${i}`, customer: `Customer ${i + 1}`, total: 10 * (i + 1) }));
    await send({ open: 3, orders: orders(3), note: "Quiet morning", camera: stream.url });
    await expect.poll(async () => (await trpc<{ runs: number }>(page, "query", "dashboardProposal.propose", { workspaceId: workspace.id, flowId })).runs).toBe(1);

    // From the flow's row in the flow list.
    await page.goto(`/w/${workspace.slug}`);
    await page.getByRole("button", { name: "Create dashboard from Shop orders" }).click();
    const review = page.getByRole("list", { name: "Proposed widgets" });
    const item = (name: string) => review.getByRole("listitem", { name, exact: true });
    await expect(review.getByRole("listitem")).toHaveCount(6);
    await expect(item("Camera · Shop")).toContainText(`The address of an HLS playlist ("${stream.url}"): a player`);
    await expect(item("Open · Shop").first()).toContainText("A number (3 in the one run sampled): a stat tile");
    // The second way of showing a series starts dropped; a person keeps or drops each.
    const keep = (name: string) => dialog.getByRole("checkbox", { name: `Keep ${name}`, exact: true });
    await expect(keep("Orders · Shop")).toBeChecked();
    await expect(keep("Total · Orders · Shop")).not.toBeChecked();
    await keep("Total · Orders · Shop").check();
    await expect(item("Total · Orders · Shop").getByRole("combobox", { name: "Show as" })).toHaveValue("bar");
    await keep("Total · Orders · Shop").uncheck();
    await expect(item("Total · Orders · Shop").getByRole("combobox", { name: "Show as" })).toHaveCount(0);
    // A number shown as a chart instead of a stat tile, under a title of the person's.
    const open = review.getByRole("listitem").filter({ hasText: "a stat tile" });
    await open.getByRole("combobox", { name: "Show as" }).selectOption("timeseries");
    await open.getByRole("combobox", { name: "Show as" }).selectOption("stat");
    await open.getByRole("textbox", { name: "Title" }).fill("Open orders");
    await expect(dialog.getByText("4 widgets kept")).toBeVisible();
    // With a language model credential, a layout can be described; a provider that cannot be reached says so.
    await dialog.getByText("Describe the dashboard you want").click();
    await dialog.getByRole("textbox", { name: "Description" }).fill("Open orders large at the top, then the camera");
    await dialog.getByRole("button", { name: "Lay out from the description" }).click();
    await expect(dialog.getByRole("alert")).toContainText("could not lay out the dashboard");
    await expect(dialog.getByText("4 widgets kept")).toBeVisible();
    await snapThemes(page, testInfo, "generate dashboard review");

    await dialog.getByRole("textbox", { name: "Dashboard name" }).fill("Shop floor");
    await dialog.getByRole("button", { name: "Create dashboard" }).click();
    await expect(page).toHaveURL(/\/dashboards\/[^/]+$/);
    const dashboardId = page.url().split("/").at(-1)!;
    await expect(page.getByRole("heading", { name: "Shop floor", exact: true })).toBeVisible();
    // Points are sent to open pages as they are stored: the page listens before the flow is called.
    await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();

    // The flow now publishes the kept widgets' series: its next call fills them.
    await send({ open: 5, orders: orders(2), note: "Busy lunch", camera: stream.url });
    const stat = page.getByRole("region", { name: "Open orders" });
    const table = page.getByRole("region", { name: "Orders · Shop" });
    const note = page.getByRole("region", { name: "Note · Shop" });
    const camera = page.getByRole("region", { name: "Camera · Shop" });
    await expect(stat.getByTestId("stat-value")).toHaveText("5");
    await expect(table.getByRole("row")).toHaveCount(3);
    await expect(note).toContainText("Busy lunch");
    await expect(camera.locator("video")).toBeVisible();
    await expect.poll(() => camera.locator("video").evaluate((video: HTMLVideoElement) => video.readyState)).toBeGreaterThanOrEqual(1);
    await expect(camera.getByText(/could not be played/)).toHaveCount(0);

    // A new call changes the tiles on the open page, without a reload.
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
    await send({ open: 8, orders: orders(4), note: "Closing soon", camera: stream.url });
    await expect(stat.getByTestId("stat-value")).toHaveText("8");
    await expect(table.getByRole("row")).toHaveCount(5);
    await expect(note).toContainText("Closing soon");
    expect(await page.evaluate(() => (window as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);

    // The stat tile, dragged by its title bar to the right of the note, stays there after a reload.
    type Stored = { widgets: { title: string; layout: { x: number; y: number; w: number } }[] };
    const layoutOf = async (title: string) => (await trpc<Stored>(page, "query", "dashboard.get", { workspaceId: workspace.id, dashboardId })).widgets.find((w) => w.title === title)?.layout;
    const before = (await layoutOf("Open orders"))!;
    const handle = stat.getByRole("heading", { name: "Open orders" });
    const from = (await handle.boundingBox())!;
    const grid = (await page.getByRole("region", { name: "Camera · Shop" }).boundingBox())!;
    const target = { x: grid.x + grid.width - 40, y: grid.y + grid.height + 200 };
    await page.mouse.move(from.x + 20, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move((from.x + target.x) / 2, (from.y + target.y) / 2, { steps: 8 });
    await page.mouse.move(target.x, target.y, { steps: 8 });
    await page.mouse.up();
    await expect.poll(async () => JSON.stringify(await layoutOf("Open orders"))).not.toBe(JSON.stringify(before));
    const moved = (await layoutOf("Open orders"))!;
    const placed = await settled(stat);
    await page.reload();
    await expect(stat.getByTestId("stat-value")).toHaveText("8");
    const after = await settled(stat);
    expect(Math.abs(after.x - placed.x)).toBeLessThan(2);
    expect(Math.abs(after.y - placed.y)).toBeLessThan(2);
    expect(await layoutOf("Open orders")).toEqual(moved);

    // The editor's flow menu offers the same, now with the flow's publish nodes on its canvas.
    await page.goto(`/w/${workspace.slug}/flows/${flowId}`);
    await expect(canvasNode(page, "Publish Shop.body.open")).toBeVisible();
    await expect(canvasNodes(page)).toHaveCount(5);
    await page.getByRole("button", { name: "Flow menu" }).click();
    await page.getByRole("menuitem", { name: "Create dashboard…" }).click();
    await expect(dialog.getByRole("list", { name: "Proposed widgets" }).getByRole("listitem", { name: "Orders · Shop", exact: true })).toBeVisible();
  } finally {
    await stream.close();
  }
});
