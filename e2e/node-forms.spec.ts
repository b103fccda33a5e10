import { randomBytes } from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { canvasEdge, canvasNode, connect, createFlow, dragFromPalette, expectSaved, nodePanel, openNewFlow, ownWorkspace, placeNode, signIn, snapLightAndDark, trpc, uniqueEmail } from "./support/editor";

test.use({ viewport: { width: 1440, height: 900 } });

/** What zod or a parser says when nobody turned it into words. */
const PARSER_TALK = /Invalid input|received undefined|expected string|nodes\[|cannot resolve alias|Validation error/;

async function closePanel(page: Page, name: string) {
  await nodePanel(page, name).getByRole("button", { name: "Close panel" }).click();
  await expect(nodePanel(page, name)).toBeHidden();
}

/** The problems under a field, by the field's label. */
function fieldProblems(panel: Locator, label: string): Locator {
  return panel.locator("div.space-y-1", { has: panel.page().getByLabel(label, { exact: true }) }).locator("ul li");
}

test("a webhook whose Respond was never chosen answers through the Respond node it reaches", async ({ page, request }, testInfo) => {
  const hookPath = `e2e/forms-${randomBytes(4).toString("hex")}`;
  await signIn(page, uniqueEmail("respond"));
  await createFlow(page, "Answer through the flow");

  await dragFromPalette(page, "Webhook", { x: 160, y: 260 });
  await nodePanel(page, "Webhook").getByRole("textbox", { name: "Path" }).fill(hookPath);
  // Respond is left as it came: it follows the flow.
  await expect(nodePanel(page, "Webhook").getByRole("combobox", { name: "Respond" })).toHaveValue("auto");
  await closePanel(page, "Webhook");
  await placeNode(page, "Webhook", { x: 160, y: 260 });

  await dragFromPalette(page, "Respond to webhook", { x: 560, y: 260 });
  const respond = nodePanel(page, "Respond to webhook");
  await respond.getByRole("textbox", { name: "Status code" }).fill("201");
  const body = respond.getByRole("textbox", { name: "Body" });
  await body.click();
  await page.keyboard.insertText('{ "thanks": "{{ body.name }}" }');
  await closePanel(page, "Respond to webhook");
  await connect(page, { node: "Webhook" }, { node: "Respond to webhook" });
  await expect(canvasEdge(page, "Webhook", "Respond to webhook")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "No problems" })).toBeVisible();
  await expectSaved(page);

  const versions = page.getByRole("complementary", { name: "Versions" });
  await page.getByRole("button", { name: "Versions", exact: true }).click();
  await versions.getByRole("textbox", { name: "Version message" }).fill("Answers");
  await versions.getByRole("button", { name: "Save version" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved version 1." })).toBeVisible();
  await page.getByRole("switch", { name: "Active" }).click();
  await expect(page.getByRole("switch", { name: "Active" })).toHaveAttribute("aria-checked", "true");

  // A real request gets the Respond node's answer, not a 202.
  const response = await request.post(`/hooks/${(await ownWorkspace(page)).slug}/${hookPath}`, { data: { name: "Ada" } });
  expect(response.status()).toBe(201);
  expect(await response.json()).toEqual({ thanks: "Ada" });

  // Choosing "Immediately" by hand while a Respond node follows: the problems list says so, on the Respond node.
  await canvasNode(page, "Webhook").click();
  await nodePanel(page, "Webhook").getByRole("combobox", { name: "Respond" }).selectOption({ label: "Immediately" });
  await closePanel(page, "Webhook");
  // A warning: the flow still saves and runs, the header counts it apart from problems.
  const problems = page.getByRole("button", { name: "1 warning" });
  await expect(problems).toBeVisible();
  await problems.click();
  const warning = page.getByRole("list", { name: "Problems" }).getByRole("button");
  await expect(warning).toHaveText(/^Warning\s*Node "Respond to webhook" is never heard: webhook "Webhook" answers at once \(Respond is set to "Immediately"\)/);
  await warning.click();
  await expect(nodePanel(page, "Respond to webhook").getByRole("status", { name: "Warnings" })).toContainText("is never heard");
  await snapLightAndDark(page, nodePanel(page, "Respond to webhook"), testInfo, "respond node warning");
});

test("problems read as words on their field, once, and a refused run names the node and field", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("words"));
  await openNewFlow(page, {
    name: "Words",
    document: {
      nodes: [{ id: "start", name: "Start", type: "core.manual-trigger", position: { x: 80, y: 200 } }],
    },
  });
  await canvasNode(page, "Start").click();
  await closePanel(page, "Start");

  // An A/B split starts with variants A and B at 50/50.
  await dragFromPalette(page, "A/B split", { x: 480, y: 260 });
  const split = nodePanel(page, "A/B split");
  await expect(split.getByRole("textbox", { name: "Variant 1 Name" })).toHaveValue("A");
  await expect(split.getByRole("textbox", { name: "Variant 1 Weight" })).toHaveValue("50");
  await expect(split.getByRole("textbox", { name: "Variant 2 Name" })).toHaveValue("B");
  await expect(split.getByRole("textbox", { name: "Variant 2 Weight" })).toHaveValue("50");
  await expect(canvasNode(page, "A/B split")).toBeVisible();

  // Experiment left empty: once the server has checked the draft, the field says so once, in words.
  await expect(page.getByRole("button", { name: /problem/ })).toBeVisible();
  await expect(fieldProblems(split, "Experiment")).toHaveText(["Experiment is required"]);
  await expect(split).not.toContainText(PARSER_TALK);
  await split.getByRole("textbox", { name: "Variant 2 Weight" }).fill("-5");
  await expect(fieldProblems(split, "Variant 2 Weight")).toHaveText(["A weight cannot be negative"]);
  await expect(split).not.toContainText(PARSER_TALK);
  await split.getByRole("textbox", { name: "Variant 2 Weight" }).fill("50");
  await snapLightAndDark(page, split, testInfo, "ab split panel");
  await closePanel(page, "A/B split");
  await connect(page, { node: "Start" }, { node: "A/B split" });

  // The run is refused; the notice names the node and the field in words, never an internal path.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Start run" }).click();
  const notice = page.getByRole("alert").filter({ hasText: "The flow cannot run yet" });
  await expect(notice).toContainText('Node "A/B split": Experiment is required');
  await expect(notice).not.toContainText(PARSER_TALK);
});

test("a schedule shows its next runs as the cron is typed, and says in words what is wrong", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("cron"));
  await createFlow(page, "Every weekday");
  await dragFromPalette(page, "Schedule", { x: 240, y: 260 });
  const schedule = nodePanel(page, "Schedule");
  const cron = schedule.getByRole("textbox", { name: "Cron expression" });
  await cron.fill("0 8 * * 1-5");
  const next = schedule.getByRole("status", { name: "Next runs" });
  await expect(next).toContainText("Next runs, your time");
  await expect(next.getByRole("listitem")).toHaveCount(3);
  await expect(next.getByRole("listitem").first()).toContainText("08:00");
  await snapLightAndDark(page, schedule, testInfo, "schedule panel");

  await cron.fill("0 8 * * eve");
  await expect(next).toBeHidden();
  await expect(fieldProblems(schedule, "Cron expression")).toHaveText(['The weekday field: "eve" is not a weekday; it takes 0–7 (Sunday is 0 or 7) or SUN–SAT']);
  // The server's check of the draft says the same, and it is still shown once.
  await expect(page.getByRole("button", { name: "1 problem" })).toBeVisible();
  await expect(fieldProblems(schedule, "Cron expression")).toHaveCount(1);
  await expect(schedule).not.toContainText(PARSER_TALK);
  await snapLightAndDark(page, schedule, testInfo, "schedule panel invalid");
});

test("an alert's channels are a form, and only the chosen channels' credentials are asked for", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("alert"));
  await createFlow(page, "Tell someone");
  await dragFromPalette(page, "Alert", { x: 300, y: 260 });
  const alert = nodePanel(page, "Alert");
  await expect(alert.getByText("No channels yet.")).toBeVisible();
  await expect(alert.getByRole("combobox", { name: "SMTP server" })).toHaveCount(0);
  await expect(alert.getByRole("combobox", { name: "Slack incoming webhook" })).toHaveCount(0);

  await alert.getByRole("button", { name: "Add channel" }).click();
  const type = alert.getByRole("combobox", { name: "Channel 1 Channel type" });
  await expect(type).toHaveValue("email");
  await expect(alert.getByRole("textbox", { name: "Channel 1 To" })).toBeVisible();
  await expect(alert.getByRole("combobox", { name: "SMTP server" })).toBeVisible();

  await type.selectOption({ label: "Slack" });
  await expect(alert.getByRole("textbox", { name: "Channel 1 To" })).toHaveCount(0);
  await expect(alert.getByRole("combobox", { name: "SMTP server" })).toHaveCount(0);
  await expect(alert.getByRole("combobox", { name: "Slack incoming webhook" })).toBeVisible();

  await alert.getByRole("button", { name: "Add channel" }).click();
  await expect(alert.getByRole("combobox", { name: "Channel 2 Channel type" })).toHaveValue("email");
  await alert.getByRole("textbox", { name: "Channel 2 To" }).fill("ops@example.com");
  await alert.getByRole("textbox", { name: "Title" }).fill("Disk full");
  await expect(alert).not.toContainText(PARSER_TALK);
  await snapLightAndDark(page, alert, testInfo, "alert panel");
});

test("an LLM node starts with one provider and asks only for its credential", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("llm"));
  await createFlow(page, "Ask a model");
  await dragFromPalette(page, "LLM", { x: 300, y: 260 });
  const llm = nodePanel(page, "LLM");
  await expect(llm.getByRole("combobox", { name: "Provider 1 Provider" })).toHaveValue("openai");
  await expect(llm.getByRole("combobox", { name: "Provider 1 Provider" }).locator("option:checked")).toHaveText("OpenAI");
  await expect(llm.getByRole("textbox", { name: "Provider 1 Model" })).toHaveValue("gpt-4o-mini");
  await expect(llm.getByRole("combobox", { name: "Credential" })).toBeVisible();
  await expect(llm.getByRole("combobox", { name: "Ollama" })).toHaveCount(0);
  await llm.getByRole("combobox", { name: "Provider 1 Provider" }).selectOption({ label: "Ollama" });
  await expect(llm.getByRole("combobox", { name: "Ollama" })).toBeVisible();
  await expect(llm.getByRole("combobox", { name: "Credential" })).toHaveCount(0);
  await llm.getByRole("combobox", { name: "Provider 1 Provider" }).selectOption({ label: "OpenAI" });
  await snapLightAndDark(page, llm, testInfo, "llm panel");
});

test("the Run dialog starts from the webhook's request shape, then from the last real request", async ({ page, request }, testInfo) => {
  const hookPath = `e2e/shape-${randomBytes(4).toString("hex")}`;
  await signIn(page, uniqueEmail("rundialog"));
  const ref = await openNewFlow(page, {
    name: "Shaped",
    document: {
      nodes: [
        { id: "hook", name: "Orders", type: "core.webhook", typeVersion: 2, position: { x: 80, y: 200 }, config: { path: hookPath, methods: ["PUT"] } },
        { id: "tag", name: "Tag", type: "core.set", position: { x: 400, y: 200 } },
      ],
      edges: [{ id: "e1", source: "hook", target: "tag" }],
    },
  });

  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Run with test input" });
  await expect(dialog).toContainText("The run starts from “Orders”; this is what the webhook hands the flow");
  await expect(dialog.getByRole("tab", { name: "Form" })).toHaveAttribute("aria-selected", "true");
  await expect(dialog.getByRole("combobox", { name: "Method" })).toHaveValue("PUT");
  await expect(dialog.getByRole("textbox", { name: "Path" })).toHaveValue(hookPath);
  await expect(dialog.getByRole("textbox", { name: "Headers 1 name" })).toHaveValue("content-type");
  await expect(dialog.getByRole("textbox", { name: "Headers 1 value" })).toHaveValue("application/json");
  await snapLightAndDark(page, dialog, testInfo, "run dialog webhook shape");
  await dialog.getByRole("tab", { name: "JSON" }).click();
  await expect(dialog.getByRole("textbox", { name: "Test input (JSON)" })).toContainText('"method": "PUT"');
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // A real request arrives; the dialog then starts from it.
  await trpc(page, "mutation", "flow.saveVersion", { ...ref, document: (await trpc<{ draft: unknown }>(page, "query", "flow.get", ref)).draft, message: "" });
  await trpc(page, "mutation", "flow.activate", ref);
  const sent = await request.put(`/hooks/${(await ownWorkspace(page)).slug}/${hookPath}?from=e2e`, { data: { order: 77 } });
  expect(sent.status()).toBe(202);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(dialog.getByRole("radio", { name: /^Last real request/ })).toHaveAttribute("aria-checked", "true");
  await expect(dialog.getByRole("textbox", { name: "Query 1 name" })).toHaveValue("from");
  await dialog.getByRole("tab", { name: "JSON" }).click();
  await expect(dialog.getByRole("textbox", { name: "Test input (JSON)" })).toContainText('"order": 77');
  await dialog.getByRole("radio", { name: "Example request" }).click();
  await expect(dialog.getByRole("textbox", { name: "Test input (JSON)" })).not.toContainText('"order": 77');
  await snapLightAndDark(page, dialog, testInfo, "run dialog last request");
});

test("for a manual trigger the Run dialog starts from an empty item", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("manual"));
  await openNewFlow(page, { name: "By hand", document: { nodes: [{ id: "start", name: "Start", type: "core.manual-trigger", position: { x: 80, y: 200 } }] } });
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Run with test input" });
  await expect(dialog).toContainText("The run starts from “Start”");
  await expect(dialog.getByRole("tab", { name: "Form" })).toHaveCount(0);
  await expect(dialog.getByRole("textbox", { name: "Test input (JSON)" })).toHaveText("{}");
  await snapLightAndDark(page, dialog, testInfo, "run dialog manual");
});
