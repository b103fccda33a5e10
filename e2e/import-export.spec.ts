import { readFileSync } from "node:fs";
import path from "node:path";
import { type Locator, type Page, expect, test } from "@playwright/test";
import { canvas, canvasEdges, canvasNode, canvasNodes, expectSaved, openNewFlow, ownWorkspace, signIn, snap, storedDraft, trpc, uniqueEmail } from "./support/editor";
import { snapThemes } from "./support/screens";

test.use({ viewport: { width: 1440, height: 900 } });

const fixture = (name: string) => ({ name, text: readFileSync(path.join(__dirname, "fixtures", name), "utf8") });
const n8nFile = fixture("n8n-greetings.json");
const nodeRedFile = fixture("node-red-flows.json");

/** Drags a file over `target` and drops it, as a person dragging it from their desktop does. */
async function dropFile(page: Page, target: Locator, file: { name: string; text: string }, { whileOver }: { whileOver?: () => Promise<void> } = {}): Promise<void> {
  const dataTransfer = await page.evaluateHandle(({ name, text }) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], name, { type: "application/json" }));
    return transfer;
  }, file);
  await target.dispatchEvent("dragenter", { dataTransfer });
  await target.dispatchEvent("dragover", { dataTransfer });
  // While a file is over the list, the page says what dropping it does.
  await expect(page.getByText("Drop to import: a Streamware, n8n or Node-RED export")).toBeVisible();
  await whileOver?.();
  await target.dispatchEvent("drop", { dataTransfer });
  await expect(page.getByText("Drop to import: a Streamware, n8n or Node-RED export")).toBeHidden();
}

function importDialog(page: Page): Locator {
  return page.getByRole("dialog", { name: /^(Import flows|Imported)$/ });
}

test("n8n and Node-RED exports dropped on the flow list are previewed, imported, opened and run", async ({ page, request }, testInfo) => {
  await signIn(page, uniqueEmail("import"));
  const workspace = await ownWorkspace(page);

  // An n8n file with two workflows, dropped anywhere on the list.
  await dropFile(page, page.getByText("No flows yet"), n8nFile, { whileOver: () => snap(page, testInfo, "file dragged over the flow list") });
  const dialog = importDialog(page);
  await expect(dialog.getByText("n8n workflow", { exact: true })).toBeVisible();
  await expect(dialog.getByText(n8nFile.name)).toBeVisible();
  await expect(dialog.getByRole("listitem", { name: "Greeting hook" })).toContainText("Creates “Greeting hook”.");
  await expect(dialog.getByRole("listitem", { name: "Ticket triage" })).toContainText("Creates “Ticket triage”.");
  // The report: what mapped, what is a placeholder, which expression stays as written and where.
  const triage = dialog.getByRole("group", { name: "Report for Ticket triage" });
  await expect(triage).toContainText("Nodes mapped3 of 4");
  await expect(triage.getByRole("list", { name: /^Placeholders/ })).toContainText("Open Jira issue");
  await expect(triage.getByRole("list", { name: "Expressions kept as written" })).toContainText("Collect ids › assignments.assignments[0].value");
  await expect(dialog.getByRole("group", { name: "Report for Greeting hook" })).toContainText("Expressions translated2");
  await snap(page, testInfo, "n8n preview");
  // The MQTT broker credential does not exist here: the preview says so and links to making it, name and type filled in.
  const credentials = dialog.getByRole("list", { name: "Credentials", exact: true });
  await expect(credentials.getByRole("listitem").filter({ hasText: "Home broker" })).toContainText("missing");
  const [credentialPage] = await Promise.all([page.waitForEvent("popup"), credentials.getByRole("link", { name: "create it" }).click()]);
  const newCredential = credentialPage.getByRole("dialog", { name: "New credential" });
  await expect(newCredential.getByRole("textbox", { name: "Name", exact: true })).toHaveValue("Home broker");
  await credentialPage.close();

  await dialog.getByRole("button", { name: "Import 2 flows" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Created 2 flows.");
  await expect(dialog.getByRole("link", { name: "Open “Greeting hook”" })).toBeVisible();
  await snap(page, testInfo, "n8n imported");
  await dialog.getByRole("button", { name: "Done" }).click();
  const list = page.getByRole("list", { name: "Flows" });
  await expect(list.getByRole("link", { name: "Greeting hook" })).toBeVisible();
  await expect(list.getByRole("link", { name: "Ticket triage" })).toBeVisible();

  // A Node-RED file with two tabs, through the Import button and its file chooser.
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const chooser = page.waitForEvent("filechooser");
  await dialog.getByText("Choose a file").click();
  await (await chooser).setFiles({ name: nodeRedFile.name, mimeType: "application/json", buffer: Buffer.from(nodeRedFile.text) });
  await expect(dialog.getByText("Node-RED flows", { exact: true })).toBeVisible();
  await expect(dialog.getByRole("listitem", { name: "Ticker" })).toBeVisible();
  await expect(dialog.getByRole("listitem", { name: "Echo" })).toBeVisible();
  await expect(dialog.getByRole("group", { name: "Report for Echo" })).toContainText("Nodes mapped3 of 3");
  await dialog.getByRole("button", { name: "Import 2 flows" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Created 2 flows.");
  await dialog.getByRole("link", { name: "Open “Echo”" }).click();
  await expect(page.getByRole("heading", { name: "Echo", exact: true })).toBeVisible();
  await expect(canvasNode(page, "Echo request")).toBeVisible();
  await expect(canvasNode(page, "Answer")).toBeVisible();

  await page.goto(`/w/${workspace.slug}`);
  await expect(page.getByRole("list", { name: "Flows" }).getByRole("link", { name: "Echo" })).toBeVisible();
  await snapThemes(page, testInfo, "flow list with import and export");

  // The same n8n file again: each flow now clashes by name; the preview offers a copy (the default), replacing or skipping.
  await page.goto(`/w/${workspace.slug}`);
  await dropFile(page, page.getByRole("list", { name: "Flows" }), n8nFile);
  const greeting = dialog.getByRole("listitem", { name: "Greeting hook" });
  await expect(greeting.getByRole("list", { name: "Conflicts of Greeting hook" })).toBeVisible();
  await expect(greeting.getByRole("radio", { name: "Import as a copy" })).toBeChecked();
  await greeting.getByText("Skip", { exact: true }).click();
  await expect(greeting).toContainText("Skipped: nothing is written for it.");
  await dialog.getByRole("listitem", { name: "Ticket triage" }).getByText("Replace", { exact: true }).click();
  await expect(dialog.getByRole("button", { name: "Import 1 flow (1 replacing)" })).toBeVisible();
  await snapThemes(page, testInfo, "import preview with conflicts");
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();

  // The imported webhook flow runs once live: the import saved it as version 1, activated here, called over HTTP.
  await list.getByRole("link", { name: "Greeting hook" }).click();
  await expect(page.getByRole("heading", { name: "Greeting hook", exact: true })).toBeVisible();
  await expect(canvasNodes(page)).toHaveCount(3);
  await expect(canvasEdges(page)).toHaveCount(2);
  await page.getByRole("button", { name: "Versions", exact: true }).click();
  await expect(page.getByRole("complementary", { name: "Versions" }).getByRole("listitem").filter({ hasText: "v1" })).toContainText(`Imported from ${n8nFile.name}`);
  await page.getByRole("switch", { name: "Active" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The flow is active" })).toBeVisible();
  const answer = await request.get(`/hooks/${workspace.slug}/greeting?name=Ada`);
  expect(answer.status()).toBe(200);
  expect(await answer.json()).toEqual({ greeting: "Hello Ada" });

  // The editor's flow menu exports the draft or a version.
  await page.getByRole("button", { name: "Flow menu" }).click();
  await page.getByRole("menuitem", { name: "Export…" }).click();
  const exportDialog = page.getByRole("dialog", { name: "Export flow" });
  await exportDialog.getByRole("radio", { name: /v1/ }).check();
  await snap(page, testInfo, "export flow dialog");
  const download = page.waitForEvent("download");
  await exportDialog.getByRole("button", { name: "Download" }).click();
  const exported = await download;
  expect(exported.suggestedFilename()).toMatch(/\.json$/);
  expect(readFileSync(await exported.path(), "utf8")).toContain("Respond to Webhook");
});

test("a workspace exported from its settings imports into another workspace with the same flows", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("bundle"));
  const home = await ownWorkspace(page);
  for (const name of ["Morning report", "Door sensor"]) {
    await trpc(page, "mutation", "flow.create", {
      workspaceId: home.id,
      name,
      document: { schema: "streamware.flow/1", nodes: [{ id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } }, { id: "say", type: "core.set", name: `Say ${name}`, position: { x: 280, y: 0 }, config: { fields: [{ name: "said", value: name }] } }], edges: [{ id: "e1", source: "start", target: "say" }] },
    });
  }

  // A single flow from its row on the list.
  await page.goto(`/w/${home.slug}`);
  const rowDownload = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export Door sensor" }).click();
  expect(readFileSync(await (await rowDownload).path(), "utf8")).toContain("Say Door sensor");

  await page.goto(`/w/${home.slug}/settings`);
  const section = page.getByRole("region", { name: "Import and export" });
  await expect(section).toBeVisible();
  await snapThemes(page, testInfo, "settings import and export", { phone: false });
  const download = page.waitForEvent("download");
  await section.getByRole("button", { name: "Export workspace" }).click();
  const bundle = await download;
  const text = readFileSync(await bundle.path(), "utf8");
  expect(text).toContain("streamware.workspace/");

  const other = await trpc<{ id: string; slug: string }>(page, "mutation", "workspace.create", { name: "Second home" });
  await page.goto(`/w/${other.slug}`);
  await expect(page.getByText("No flows yet")).toBeVisible();
  await dropFile(page, page.getByText("No flows yet"), { name: bundle.suggestedFilename(), text });
  const dialog = importDialog(page);
  await expect(dialog.getByText("Streamware workspace export", { exact: true })).toBeVisible();
  await expect(dialog.getByRole("listitem", { name: "Morning report" })).toContainText("Creates “Morning report”.");
  await dialog.getByRole("button", { name: "Import 2 flows" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Created 2 flows.");
  await dialog.getByRole("button", { name: "Done" }).click();
  const list = page.getByRole("list", { name: "Flows" });
  await expect(list.getByRole("link", { name: "Morning report" })).toBeVisible();
  await expect(list.getByRole("link", { name: "Door sensor" })).toBeVisible();

  // The same nodes, in the other workspace's flow.
  await list.getByRole("link", { name: "Door sensor" }).click();
  await expect(canvasNode(page, "Say Door sensor")).toBeVisible();
  await expect(canvasEdges(page)).toHaveCount(1);
});

test("n8n nodes pasted onto the canvas are added, mapped, at the pointer, as one undoable step", async ({ page, context, baseURL }, testInfo) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await signIn(page, uniqueEmail("paste-n8n"));
  const ref = await openNewFlow(page, { name: "Pasted from n8n", document: { nodes: [{ id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } }], edges: [] } });
  await expect(canvasNodes(page)).toHaveCount(1);

  // What n8n puts on the clipboard when nodes are copied there: the nodes and their connections, no workflow around them.
  const triage = (JSON.parse(n8nFile.text) as { name: string; nodes: unknown[]; connections: unknown }[]).find((w) => w.name === "Ticket triage")!;
  const copied = JSON.stringify({ nodes: triage.nodes, connections: triage.connections, pinData: {}, meta: { instanceId: "e2e" } });
  await page.evaluate((text) => navigator.clipboard.writeText(text), copied);
  const box = await canvas(page).boundingBox();
  if (!box) throw new Error("the canvas is not on screen");
  await page.mouse.move(box.x + 200, box.y + box.height - 240);
  await page.keyboard.press("Control+v");
  await expect(page.getByRole("status").filter({ hasText: "Pasted 4 n8n nodes: 3 mapped, 1 placeholder" })).toBeVisible();
  // The canvas draws only the cards in view, and the pasted canvas is spread for our wider cards: zoom to fit.
  await page.keyboard.press("Shift+Digit1");
  await expect(canvasNodes(page)).toHaveCount(5);
  await expect(canvasNode(page, "Collect ids")).toBeVisible();
  await expect(canvasNode(page, "Open Jira issue")).toBeVisible();
  await expect(canvasEdges(page)).toHaveCount(3);
  await snap(page, testInfo, "n8n nodes pasted");

  await expectSaved(page);
  const draft = await storedDraft(page, ref);
  expect(draft.nodes.map((n) => n.type).sort()).toEqual(["core.manual-trigger", "core.manual-trigger", "core.placeholder", "core.set", "mqtt.publish"]);

  // One undo takes the whole paste away.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+z");
  await expect(canvasNodes(page)).toHaveCount(1);
  await expect(canvasEdges(page)).toHaveCount(0);

  // Node-RED copies the selected nodes without their tab.
  const echo = (JSON.parse(nodeRedFile.text) as { type: string; z?: string }[]).filter((n) => n.z === "tab-echo");
  await page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify(echo));
  await page.mouse.move(box.x + 200, box.y + box.height - 240);
  await page.keyboard.press("Control+v");
  await expect(page.getByRole("status").filter({ hasText: "Pasted 3 Node-RED nodes: 3 mapped, 0 placeholders" })).toBeVisible();
  await expect(canvasNode(page, "Echo request")).toBeVisible();
  // The http in node comes with a Set that shapes its message as Node-RED's msg.
  await expect(canvasNodes(page)).toHaveCount(5);
  await expect(canvasEdges(page)).toHaveCount(3);
});
