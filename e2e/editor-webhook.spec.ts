import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { canvasEdge, canvasNode, canvasNodes, connect, createFlow, dragFromPalette, expectNodeAt, expectSaved, nodePanel, ownWorkspace, placeNode, signIn, snap, uniqueEmail } from "./support/editor";

test.use({ viewport: { width: 1280, height: 800 } });

test("a webhook flow built by dragging from the palette answers a call and shows its run", async ({ page, request }, testInfo) => {
  const hookPath = `e2e/double-${randomBytes(4).toString("hex")}`;
  await signIn(page, uniqueEmail("builder"));
  await createFlow(page, "Double it");
  await expect(page.getByText("This flow is empty.")).toBeVisible();

  // Webhook: dropped on the canvas, it is selected and its settings open beside it.
  await dragFromPalette(page, "Webhook", { x: 140, y: 260 });
  await expect(canvasNode(page, "Webhook")).toBeVisible();
  // The first node of an empty flow stays where it was dropped, with its panel open beside the canvas.
  await expect(nodePanel(page, "Webhook")).toBeVisible();
  await expectNodeAt(page, "Webhook", { x: 140, y: 260 });
  await snap(page, testInfo, "webhook dropped");
  const webhook = nodePanel(page, "Webhook");
  await webhook.getByRole("textbox", { name: "Path" }).fill(hookPath);
  await webhook.getByRole("combobox", { name: "Respond" }).selectOption({ label: "Respond node" });
  await webhook.getByRole("button", { name: "Close panel" }).click();
  await expect(webhook).toBeHidden();
  await placeNode(page, "Webhook", { x: 140, y: 260 });

  // Code: the code is typed into its editor.
  await dragFromPalette(page, "Code", { x: 440, y: 260 });
  await expect(canvasNode(page, "Code")).toBeVisible();
  const codePanel = nodePanel(page, "Code");
  const code = codePanel.getByRole("textbox", { name: "Code", exact: true });
  await code.click();
  await page.keyboard.type("return items.map((item) => ({ doubled: item.json.body.n * 2 }));");
  await expect(code).toHaveText("return items.map((item) => ({ doubled: item.json.body.n * 2 }));");
  await codePanel.getByRole("button", { name: "Close panel" }).click();

  // Respond to webhook: a status and a body built from the code's output.
  await dragFromPalette(page, "Respond to webhook", { x: 740, y: 260 });
  await expect(canvasNode(page, "Respond to webhook")).toBeVisible();
  const respond = nodePanel(page, "Respond to webhook");
  await respond.getByRole("textbox", { name: "Status code" }).fill("201");
  const body = respond.getByRole("textbox", { name: "Body" });
  await body.click();
  await page.keyboard.insertText('{ "answer": "{{ $json.doubled }}", "source": "streamware" }');
  await expect(body).toHaveText('{ "answer": "{{ $json.doubled }}", "source": "streamware" }');
  await respond.getByRole("button", { name: "Close panel" }).click();
  await expect(canvasNodes(page)).toHaveCount(3);

  // The ports are joined by dragging from handle to handle.
  await connect(page, { node: "Webhook" }, { node: "Code" });
  await expect(canvasEdge(page, "Webhook", "Code")).toHaveCount(1);
  await connect(page, { node: "Code" }, { node: "Respond to webhook" });
  await expect(canvasEdge(page, "Code", "Respond to webhook")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "No problems" })).toBeVisible();
  await expectSaved(page);
  await snap(page, testInfo, "built");

  // A version with a message, then activation. Asked for with a node's panel open, the versions take its place.
  await canvasNode(page, "Respond to webhook").click();
  await expect(nodePanel(page, "Respond to webhook")).toBeVisible();
  await page.getByRole("button", { name: "Versions", exact: true }).click();
  await expect(nodePanel(page, "Respond to webhook")).toBeHidden();
  // The canvas is narrower now; the rightmost node is still in view.
  await expect(canvasNode(page, "Respond to webhook")).toBeInViewport({ ratio: 1 });
  const versions = page.getByRole("complementary", { name: "Versions" });
  await versions.getByRole("textbox", { name: "Version message" }).fill("Doubles n");
  await versions.getByRole("button", { name: "Save version" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved version 1." })).toBeVisible();
  await expect(versions.getByRole("list", { name: "Versions" }).getByRole("listitem")).toHaveCount(1);
  await expect(versions.getByRole("listitem").first()).toContainText("v1");
  await expect(versions.getByRole("listitem").first()).toContainText("Doubles n");
  const active = page.getByRole("switch", { name: "Active" });
  await expect(active).toHaveAttribute("aria-checked", "false");
  await active.click();
  await expect(active).toHaveAttribute("aria-checked", "true");
  // The notice shows the webhook's whole URL, under the workspace: /hooks/<workspace>/<path>.
  const hookUrl = `/hooks/${(await ownWorkspace(page)).slug}/${hookPath}`;
  const activeNotice = page.getByRole("status").filter({ hasText: "The flow is active" });
  await expect(activeNotice).toContainText(`POST ${new URL(page.url()).origin}${hookUrl}`);
  // A notice with URLs stays until dismissed, so they can be copied.
  await activeNotice.getByRole("button", { name: "Dismiss" }).click();
  await expect(activeNotice).toBeHidden();

  // The webhook answers with the respond node's status and body.
  const response = await request.post(hookUrl, { data: { n: 21 } });
  expect(response.status()).toBe(201);
  expect(await response.json()).toEqual({ answer: 42, source: "streamware" });

  // The run is in the flow's history; opened, each node shows what it did.
  await page.getByRole("button", { name: "Runs", exact: true }).click();
  const runs = page.getByRole("complementary", { name: "Runs" }).getByRole("list", { name: "Runs" });
  const run = runs.getByRole("button", { name: /^Open run of .*, succeeded$/ });
  await expect(run).toHaveCount(1);
  await expect(run).toContainText("webhook");
  await expect(run).toContainText("v1");
  await run.click();
  await expect(page.getByRole("region", { name: "Run view" })).toContainText("succeeded");
  await expect(canvasNode(page, "Code")).toHaveAccessibleName(/, succeeded/);
  await snap(page, testInfo, "run opened");

  await canvasNode(page, "Webhook").click();
  await expect(nodePanel(page, "Webhook").getByRole("tab", { name: "Data" })).toHaveAttribute("aria-selected", "true");
  const webhookData = nodePanel(page, "Webhook").getByRole("tabpanel");
  await expect(webhookData).toContainText(hookPath);
  await expect(webhookData).toContainText("POST");

  await canvasNode(page, "Code").click();
  const codeData = nodePanel(page, "Code").getByRole("tabpanel");
  await expect(codeData).toContainText("doubled");
  await expect(codeData).toContainText("42");
  await snap(page, testInfo, "code output");

  await canvasNode(page, "Respond to webhook").click();
  const respondData = nodePanel(page, "Respond to webhook").getByRole("tabpanel");
  await expect(respondData).toContainText("doubled");
  await expect(respondData).toContainText("42");
});
