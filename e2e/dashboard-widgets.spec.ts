import { randomBytes } from "node:crypto";
import { type Page, expect, test } from "@playwright/test";
import { ownWorkspace, signIn, trpc, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";

test.use({ viewport: DESKTOP });

/** Saves and activates a flow made of `nodes` joined in `edges`. */
async function liveFlow(page: Page, workspaceId: string, name: string, nodes: object[], edges: { source: string; target: string }[]): Promise<string> {
  const document = { schema: "streamware.flow/1", nodes, edges: edges.map((edge, i) => ({ id: `e${i}`, ...edge })) };
  const flow = await trpc<{ id: string }>(page, "mutation", "flow.create", { workspaceId, name, document });
  await trpc(page, "mutation", "flow.saveVersion", { workspaceId, flowId: flow.id, document, message: "" });
  await trpc(page, "mutation", "flow.activate", { workspaceId, flowId: flow.id, versionNumber: 1 });
  return flow.id;
}

const forecast = {
  location: { query: "Lyon", name: "Lyon", country: "France", latitude: 45.76, longitude: 4.84 },
  units: "metric",
  current: { time: "2025-06-12T14:15", temperature_2m: 21.4, apparent_temperature: 20.1, relative_humidity_2m: 48, wind_speed_10m: 11.2, weather_code: 2 },
  currentUnits: { time: "iso8601", temperature_2m: "°C", apparent_temperature: "°C", relative_humidity_2m: "%", wind_speed_10m: "km/h", weather_code: "wmo code" },
  hourly: [],
  daily: [
    { time: "2025-06-12", weather_code: 3, temperature_2m_max: 24.1, temperature_2m_min: 14.2 },
    { time: "2025-06-13", weather_code: 61, temperature_2m_max: 19.8, temperature_2m_min: 13.4 },
    { time: "2025-06-14", weather_code: 0, temperature_2m_max: 26.3, temperature_2m_min: 15.0 },
  ],
  dailyUnits: { temperature_2m_max: "°C", temperature_2m_min: "°C" },
};

test("a dashboard plays a flow's media, shows its forecast as a card and compares an experiment's variants", async ({ page, request }, testInfo) => {
  await signIn(page, uniqueEmail("dashboard-widgets"));
  const workspace = await ownWorkspace(page);
  const suffix = randomBytes(4).toString("hex");
  const feedPath = `e2e/feed-${suffix}`;
  const visitPath = `e2e/visit-${suffix}`;
  await liveFlow(
    page,
    workspace.id,
    "Garden feed",
    [
      { id: "hook", type: "core.webhook", name: "Feed", position: { x: 0, y: 0 }, config: { path: feedPath, respond: "immediately" } },
      { id: "image", type: "dashboard.publish", name: "Snapshot", position: { x: 280, y: 0 }, config: { series: "garden camera", value: "{{ body.snapshot }}" } },
      { id: "weather", type: "dashboard.publish", name: "Forecast", position: { x: 280, y: 160 }, config: { series: "garden weather", value: "{{ body.forecast }}" } },
    ],
    [
      { source: "hook", target: "image" },
      { source: "hook", target: "weather" },
    ],
  );
  const shopId = await liveFlow(
    page,
    workspace.id,
    "Shop",
    [
      { id: "hook", type: "core.webhook", name: "Visit", position: { x: 0, y: 0 }, config: { path: visitPath, respond: "immediately" } },
      {
        id: "split",
        type: "ab.split",
        name: "Checkout test",
        position: { x: 280, y: 0 },
        config: { experiment: "checkout", key: "{{ body.userId }}", variants: [{ name: "plain", weight: 50 }, { name: "bright", weight: 50 }] },
      },
    ],
    [{ source: "hook", target: "split" }],
  );

  expect((await request.post(`/hooks/${workspace.slug}/${feedPath}`, { data: { snapshot: "/icon.svg", forecast } })).status()).toBeLessThan(300);
  const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
  for (const userId of users) expect((await request.post(`/hooks/${workspace.slug}/${visitPath}`, { data: { userId } })).status()).toBeLessThan(300);
  type Results = { variants: { name: string; exposures: number }[] }[];
  const exposures = async () => (await trpc<Results>(page, "query", "abTest.results", { workspaceId: workspace.id, flowId: shopId, experiment: "checkout" }))[0]?.variants.reduce((sum, v) => sum + v.exposures, 0) ?? 0;
  await expect.poll(exposures).toBe(users.length);
  await trpc(page, "mutation", "abTest.convert", { workspaceId: workspace.id, flowId: shopId, experiment: "checkout", keys: users.filter((_, i) => i % 3 === 0) });
  await expect.poll(async () => (await trpc<{ series: string }[]>(page, "query", "dashboard.series", { workspaceId: workspace.id })).length).toBe(2);

  const widgets = [
    { id: "camera", kind: "media", title: "Garden camera", series: ["garden camera"], layout: { x: 0, y: 0, w: 4, h: 4 } },
    { id: "weather", kind: "weather", title: "Weather · Lyon", series: ["garden weather"], layout: { x: 4, y: 0, w: 8, h: 4 } },
  ];
  const dashboard = await trpc<{ id: string }>(page, "mutation", "dashboard.create", { workspaceId: workspace.id, name: "Garden", widgets });
  await page.goto(`/w/${workspace.slug}/dashboards/${dashboard.id}`);

  // The A/B widget is picked from the workspace's experiments.
  await page.getByRole("button", { name: "Add widget" }).click();
  const dialog = page.getByRole("dialog", { name: "Add widget" });
  await dialog.getByRole("combobox", { name: "Show as" }).selectOption({ label: "A/B experiment" });
  await expect(dialog.getByRole("combobox", { name: "Series" })).toHaveCount(0);
  await expect(dialog.getByRole("combobox", { name: "Experiment" })).toHaveValue(JSON.stringify([shopId, "checkout"]));
  await expect(dialog.getByRole("combobox", { name: "Experiment" }).getByRole("option")).toHaveText(["checkout (Shop)"]);
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog).toBeHidden();
  const experiment = page.getByRole("region", { name: "Experiment checkout" });
  type Stored = { widgets: { kind: string; experiment?: { flowId: string; name: string } }[] };
  await expect
    .poll(async () => (await trpc<Stored>(page, "query", "dashboard.get", { workspaceId: workspace.id, dashboardId: dashboard.id })).widgets.find((w) => w.kind === "abTest")?.experiment)
    .toEqual({ flowId: shopId, name: "checkout" });

  const image = page.getByRole("img", { name: "Garden camera" });
  await expect(image).toHaveAttribute("src", "/icon.svg");
  await expect.poll(() => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth > 0)).toBe(true);
  await expect(page.getByTestId("weather-temperature")).toHaveText("21°C");
  await expect(page.getByText("Partly cloudy")).toBeVisible();
  await expect(page.getByRole("list", { name: "Coming days" }).getByRole("listitem")).toHaveCount(3);
  for (const variant of ["plain", "bright"]) await expect(experiment.getByText(variant, { exact: true })).toBeVisible();
  await expect(experiment.getByText(/converted \(\d+ of \d+\)/)).toHaveCount(2);
  await expect(experiment.getByText("Control", { exact: true })).toBeVisible();
  await expect(experiment.getByText(/^Lift /)).toHaveCount(1);
  await snapThemes(page, testInfo, "media weather and experiment widgets");
  // A new address replaces the player live: an HLS playlist gets a video, and a stream that cannot load says so.
  expect((await request.post(`/hooks/${workspace.slug}/${feedPath}`, { data: { snapshot: "/e2e-missing/stream.m3u8", forecast } })).status()).toBeLessThan(300);
  const camera = page.getByRole("region", { name: "Garden camera" });
  await expect(camera.locator("video")).toBeVisible();
  await expect(camera.getByText(/The stream could not be played/)).toBeVisible();
  await expect(image).toHaveCount(0);
  // A browser without native HLS (Chromium has it) gets hls.js, which reports the playlist it could not load.
  await page.addInitScript(() => {
    const canPlayType = HTMLMediaElement.prototype.canPlayType;
    HTMLMediaElement.prototype.canPlayType = function (type) {
      return type === "application/vnd.apple.mpegurl" ? "" : canPlayType.call(this, type);
    };
  });
  await page.reload();
  await expect(camera.getByText("The stream could not be played (manifestLoadError).")).toBeVisible();
});
