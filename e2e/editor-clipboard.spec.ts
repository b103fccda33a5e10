import { expect, test } from "@playwright/test";
import { canvas, canvasEdge, canvasEdges, canvasNode, canvasNodes, expectSaved, openNewFlow, signIn, snap, storedDraft, uniqueEmail } from "./support/editor";

test.use({ viewport: { width: 1280, height: 800 } });

test("nodes copied with their connection are pasted into another flow with new ids", async ({ page, context, baseURL }, testInfo) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await signIn(page, uniqueEmail("clipboard"));

  const target = await openNewFlow(page, {
    name: "Target",
    document: { nodes: [{ id: "hook", type: "core.webhook", name: "Incoming", position: { x: 0, y: 0 }, config: { path: `e2e/target-${Date.now()}` } }], edges: [] },
  });
  const source = await openNewFlow(page, {
    name: "Source",
    document: {
      nodes: [
        { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
        { id: "greet", type: "core.set", name: "Greet", position: { x: 300, y: 0 }, config: { fields: [{ name: "greeting", value: "hello" }] } },
        { id: "shout", type: "core.code", name: "Shout", position: { x: 600, y: 0 }, config: { code: "return items.map((item) => ({ loud: String(item.json.greeting).toUpperCase() }));" } },
      ],
      edges: [
        { id: "e1", source: "start", target: "greet" },
        { id: "e2", source: "greet", target: "shout" },
      ],
    },
  });
  await expect(canvasNodes(page)).toHaveCount(3);

  // Two nodes selected (click, then Ctrl+click), copied with the connection between them. The rightmost first: the
  // panel that a single selected node opens narrows the canvas from the right.
  await canvasNode(page, "Shout").click();
  await canvasNode(page, "Greet").click({ modifiers: ["Control"] });
  await expect(canvasNode(page, "Greet")).toHaveClass(/selected/);
  await expect(canvasNode(page, "Shout")).toHaveClass(/selected/);
  await page.keyboard.press("Control+c");
  await expect(page.getByRole("status").filter({ hasText: "Copied 2 nodes" })).toBeVisible();
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { nodes: { id: string; name: string }[]; edges: { source: string; target: string }[] };
  expect(copied.nodes.map((n) => n.name).sort()).toEqual(["Greet", "Shout"]);
  expect(copied.edges).toEqual([expect.objectContaining({ source: "greet", target: "shout" })]);
  await snap(page, testInfo, "copied");
  // A plain click on one node of the selection selects it alone, and opens its panel.
  await canvasNode(page, "Greet").click();
  await expect(canvasNode(page, "Shout")).not.toHaveClass(/selected/);
  await expect(canvasNode(page, "Greet")).toHaveClass(/selected/);
  await expect(page.getByRole("complementary", { name: "Node Greet" })).toBeVisible();

  // Into the other flow: the pointer over its canvas says where.
  await page.goto(page.url().replace(source.flowId, target.flowId));
  await expect(page.getByRole("heading", { name: "Target", exact: true })).toBeVisible();
  await expect(canvasNodes(page)).toHaveCount(1);
  const box = await canvas(page).boundingBox();
  if (!box) throw new Error("the canvas is not on screen");
  await page.mouse.move(box.x + 120, box.y + box.height - 260);
  await page.keyboard.press("Control+v");
  await expect(page.getByRole("status").filter({ hasText: "Pasted 2 nodes." })).toBeVisible();
  await expect(canvasNodes(page)).toHaveCount(3);
  await expect(canvasNode(page, "Greet")).toBeVisible();
  await expect(canvasNode(page, "Shout")).toBeVisible();
  await expect(canvasEdge(page, "Greet", "Shout")).toHaveCount(1);
  await expect(canvasEdges(page)).toHaveCount(1);
  await snap(page, testInfo, "pasted");

  // Saved with ids of their own; the pasted code came along.
  await expectSaved(page);
  const draft = await storedDraft(page, target);
  const greet = draft.nodes.find((n) => n.name === "Greet");
  const shout = draft.nodes.find((n) => n.name === "Shout");
  expect(greet && shout).toBeTruthy();
  expect([greet!.id, shout!.id]).not.toContain("greet");
  expect([greet!.id, shout!.id]).not.toContain("shout");
  expect(draft.edges).toEqual([expect.objectContaining({ source: greet!.id, target: shout!.id })]);
  expect(draft.edges[0]!.id).not.toBe("e2");
  // The pasted nodes are selected; Escape clears that, and a click opens one of them.
  await page.keyboard.press("Escape");
  await expect(canvasNode(page, "Shout")).not.toHaveClass(/selected/);
  await canvasNode(page, "Shout").click();
  await expect(page.getByRole("complementary", { name: "Node Shout" }).getByRole("textbox", { name: "Code", exact: true })).toContainText("toUpperCase");

  // The source flow is unchanged.
  const original = await storedDraft(page, source);
  expect(original.nodes.map((n) => n.id)).toEqual(["start", "greet", "shout"]);
});
