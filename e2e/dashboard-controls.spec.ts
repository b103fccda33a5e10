import { type Page, expect, test } from "@playwright/test";
import { ownWorkspace, signIn, trpc, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";

test.use({ viewport: DESKTOP });

/** A flow that answers each start with a greeting of the name it was given, saved and live. */
async function greeterFlow(page: Page, workspaceId: string): Promise<string> {
  const document = {
    schema: "streamware.flow/1",
    nodes: [
      { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
      { id: "greet", type: "core.set", name: "Greet", position: { x: 280, y: 0 }, config: { fields: [{ name: "answer", value: "Hello {{ $json.name ? $json.name : 'there' }}" }] } },
    ],
    edges: [{ id: "e1", source: "start", target: "greet" }],
  };
  const flow = await trpc<{ id: string }>(page, "mutation", "flow.create", { workspaceId, name: "Greeter", document });
  await trpc(page, "mutation", "flow.saveVersion", { workspaceId, flowId: flow.id, document, message: "" });
  await trpc(page, "mutation", "flow.activate", { workspaceId, flowId: flow.id, versionNumber: 1 });
  return flow.id;
}

type Runs = { runs: { id: string; status: string; trigger: string }[] };

const SIGN_UP = {
  type: "object",
  properties: {
    name: { type: "string", title: "Your name", maxLength: 80 },
    seats: { type: "integer", title: "Seats", minimum: 1, maximum: 10 },
    plan: { type: "string", title: "Plan", enum: ["free", "team"] },
    newsletter: { type: "boolean", title: "Send me news" },
  },
  required: ["name", "seats"],
};

test("control widgets start a flow: a button, a form checked before it is sent; a viewer sees them disabled", async ({ page, browser }, testInfo) => {
  await signIn(page, uniqueEmail("controls"));
  const workspace = await ownWorkspace(page);
  const flowId = await greeterFlow(page, workspace.id);
  const { id: dashboardId } = await trpc<{ id: string }>(page, "mutation", "dashboard.create", { workspaceId: workspace.id, name: "Front desk" });
  await page.goto(`/w/${workspace.slug}/dashboards/${dashboardId}`);
  await expect(page.getByRole("heading", { name: "Front desk", exact: true })).toBeVisible();
  const runs = async () => (await trpc<Runs>(page, "query", "run.list", { workspaceId: workspace.id, flowId })).runs;

  // A button: the flow picked in the dialog, a label of its own.
  await page.getByRole("button", { name: "Add widget" }).click();
  const dialog = page.getByRole("dialog", { name: "Add widget" });
  await dialog.getByRole("combobox", { name: "Show as" }).selectOption({ label: "Button" });
  await dialog.getByRole("combobox", { name: "Flow it starts" }).selectOption({ label: "Greeter" });
  await dialog.getByRole("textbox", { name: "Button label" }).fill("Say hello");
  await dialog.getByRole("textbox", { name: "Title" }).fill("Greeting");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog).toBeHidden();

  const greeting = page.getByRole("region", { name: "Greeting" });
  await greeting.getByRole("button", { name: "Say hello" }).click();
  await expect(greeting.getByTestId("widget-result")).toContainText("Done.");
  await expect(greeting.getByTestId("widget-result")).toContainText("Hello there");
  expect(await runs()).toEqual([expect.objectContaining({ status: "succeeded", trigger: "manual" })]);

  // A form: its fields written as JSON Schema; a mistake in it is named before anything is added.
  await page.getByRole("button", { name: "Add widget" }).click();
  await dialog.getByRole("combobox", { name: "Show as" }).selectOption({ label: "Form" });
  await dialog.getByRole("combobox", { name: "Flow it starts" }).selectOption({ label: "Greeter" });
  await dialog.getByRole("textbox", { name: "Title" }).fill("Sign up");
  const fields = dialog.getByRole("textbox", { name: "Form fields (JSON Schema)" });
  await fields.fill(JSON.stringify({ ...SIGN_UP, properties: { ...SIGN_UP.properties, seats: { type: "count" } } }));
  await expect(dialog.getByText('Field "seats": A form field is a string, number, integer or boolean')).toBeVisible();
  await fields.fill(JSON.stringify(SIGN_UP, null, 2));
  await dialog.getByRole("checkbox", { name: /Allow from a shared link/ }).check();
  await snapThemes(page, testInfo, "add form widget dialog");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog).toBeHidden();

  type Stored = { widgets: { id: string; title: string; action?: unknown; layout: { y: number; h: number } }[] };
  const storedForm = (await trpc<Stored>(page, "query", "dashboard.get", { workspaceId: workspace.id, dashboardId })).widgets.find((w) => w.title === "Sign up");
  expect(storedForm?.action).toEqual({ flowId, shared: true });

  const form = page.getByRole("region", { name: "Sign up" });
  // The fields in the order they were written, the required ones marked.
  await expect(form.getByRole("textbox", { name: "Your name" })).toHaveAttribute("aria-required", "true");
  await expect(form.getByRole("spinbutton", { name: "Seats" })).toHaveAttribute("aria-required", "true");
  await expect(form.getByRole("combobox", { name: "Plan" })).toHaveAttribute("aria-required", "false");
  await form.getByRole("button", { name: "Send" }).click();
  await expect(form.getByText('Fill in "Your name"', { exact: true })).toBeVisible();
  await expect(form.getByText('Fill in "Seats"', { exact: true })).toBeVisible();
  await expect(form.getByRole("textbox", { name: "Your name" })).toHaveAttribute("aria-invalid", "true");
  await form.getByRole("spinbutton", { name: "Seats" }).fill("11");
  await form.getByRole("button", { name: "Send" }).click();
  await expect(form.getByText('"Seats" is at most 10', { exact: true })).toBeVisible();
  expect(await runs()).toHaveLength(1);

  await form.getByRole("textbox", { name: "Your name" }).fill("Ada");
  await form.getByRole("spinbutton", { name: "Seats" }).fill("3");
  await form.getByRole("combobox", { name: "Plan" }).selectOption("team");
  await form.getByRole("checkbox", { name: "Send me news" }).check();
  await form.getByRole("button", { name: "Send" }).click();
  await expect(form.getByTestId("widget-result")).toContainText("Hello Ada");
  await expect(form.getByText('Fill in "Your name"', { exact: true })).toBeHidden();
  await expect.poll(async () => (await runs()).length).toBe(2);
  const [latest] = await runs();
  const run = await trpc<{ input: { json: unknown }[] }>(page, "query", "run.get", { workspaceId: workspace.id, runId: latest!.id });
  expect(run.input).toEqual([{ json: { name: "Ada", seats: 3, plan: "team", newsletter: true } }]);

  // A switch, a slider and hold-to-talk beside them, to be looked at in both themes and on a phone.
  const stored = await trpc<Stored>(page, "query", "dashboard.get", { workspaceId: workspace.id, dashboardId });
  const below = Math.max(...stored.widgets.map((w) => w.layout.y + w.layout.h));
  await trpc(page, "mutation", "dashboard.update", {
    workspaceId: workspace.id,
    dashboardId,
    widgets: [
      ...stored.widgets,
      { id: "lamp", kind: "switch", title: "Porch lamp", series: [], action: { flowId, shared: false }, layout: { x: 0, y: below, w: 3, h: 2 } },
      { id: "volume", kind: "slider", title: "Volume", series: [], unit: "%", action: { flowId, shared: false }, range: { min: 0, max: 100, step: 5 }, layout: { x: 3, y: below, w: 4, h: 2 } },
      { id: "talk", kind: "voice", title: "Ask", series: [], action: { flowId, shared: false }, layout: { x: 7, y: below, w: 4, h: 3 } },
    ],
  });
  await page.reload();
  const lamp = page.getByRole("region", { name: "Porch lamp" });
  await lamp.getByRole("switch", { name: "Porch lamp" }).click();
  await expect(lamp.getByRole("switch", { name: "Porch lamp" })).toHaveAttribute("aria-checked", "true");
  await expect(lamp.getByTestId("widget-result")).toContainText("Done.");
  await expect.poll(async () => (await runs()).length).toBe(3);
  await snapThemes(page, testInfo, "dashboard with controls");

  // A viewer sees the controls but may not use them, and is told why.
  const viewerEmail = uniqueEmail("controls-viewer");
  const viewerContext = await browser.newContext({ viewport: DESKTOP });
  const viewer = await viewerContext.newPage();
  await signIn(viewer, viewerEmail);
  const { link } = await trpc<{ link: string }>(page, "mutation", "invitation.create", { workspaceId: workspace.id, email: viewerEmail, role: "viewer", linkBase: new URL(page.url()).origin });
  await trpc(viewer, "mutation", "invitation.accept", { token: new URL(link).pathname.split("/").at(-1) });
  await viewer.goto(`/w/${workspace.slug}/dashboards/${dashboardId}`);
  const reason = "Starting flows needs the operator role or higher.";
  await expect(viewer.getByRole("region", { name: "Greeting" }).getByRole("button", { name: "Say hello" })).toBeDisabled();
  await expect(viewer.getByRole("region", { name: "Greeting" }).getByRole("button", { name: "Say hello" })).toHaveAccessibleDescription(reason);
  await expect(viewer.getByRole("region", { name: "Sign up" }).getByRole("button", { name: "Send" })).toBeDisabled();
  await expect(viewer.getByRole("region", { name: "Sign up" }).getByRole("textbox", { name: "Your name" })).toBeDisabled();
  await expect(viewer.getByRole("switch", { name: "Porch lamp" })).toBeDisabled();
  await expect(viewer.getByRole("slider", { name: "Volume" })).toBeDisabled();
  await expect(viewer.getByRole("region", { name: "Ask" }).getByRole("button", { name: "Hold to talk" })).toBeDisabled();
  await expect(viewer.getByText(reason)).toHaveCount(5);
  await snapThemes(viewer, testInfo, "dashboard with controls as a viewer", { phone: false });
  await viewerContext.close();
  expect(await runs()).toHaveLength(3);
});

/** Chromium's fake microphone: a real MediaRecorder recording of a generated tone, no permission prompt. */
const withMicrophone = test.extend<object, object>({
  launchOptions: [
    async ({ launchOptions }, use) => {
      await use({ ...launchOptions, args: [...(launchOptions.args ?? []), "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"] });
    },
    { scope: "worker" },
  ],
});

withMicrophone("hold to talk records while pressed, starts the flow with the recording and shows its answer", async ({ page }) => {
  await signIn(page, uniqueEmail("controls-voice"));
  const workspace = await ownWorkspace(page);
  const flowId = await greeterFlow(page, workspace.id);
  const layout = { x: 0, y: 0, w: 4, h: 4 };
  const { id: dashboardId } = await trpc<{ id: string }>(page, "mutation", "dashboard.create", {
    workspaceId: workspace.id,
    name: "Intercom",
    widgets: [{ id: "talk", kind: "voice", title: "Ask", series: [], action: { flowId, shared: false }, layout }],
  });
  await page.goto(`/w/${workspace.slug}/dashboards/${dashboardId}`);
  const ask = page.getByRole("region", { name: "Ask" });
  const button = ask.getByRole("button", { name: "Hold to talk" });
  await button.hover();
  await page.mouse.down();
  await expect(ask.getByRole("button", { name: "Recording… release to send" })).toBeVisible();
  // Held for a moment, as a person speaks; a shorter press is taken for a click and sends nothing.
  await page.waitForTimeout(800);
  await page.mouse.up();
  await expect(ask.getByTestId("widget-result")).toContainText("Done.");
  await expect(ask.getByTestId("widget-result")).toContainText("Hello there");
  const { runs } = await trpc<{ runs: { id: string }[] }>(page, "query", "run.list", { workspaceId: workspace.id, flowId });
  const run = await trpc<{ input: { json: { source: string }; binary: { audio: { mimeType: string; size: number } } }[] }>(page, "query", "run.get", { workspaceId: workspace.id, runId: runs[0]!.id });
  expect(run.input[0]!.json.source).toBe("browser");
  expect(run.input[0]!.binary.audio.mimeType).toMatch(/^audio\//);
  expect(run.input[0]!.binary.audio.size).toBeGreaterThan(0);
});
