import { expect, test } from "@playwright/test";
import { canvas, canvasEdge, canvasEdges, canvasNode, canvasNodes, connect, dragFromPalette, expectSaved, moveNode, nodePanel, nodeTransform, openNewFlow, signIn, snap, uniqueEmail } from "./support/editor";

test.use({ viewport: { width: 1280, height: 800 } });

test("five edits are undone one by one back to the start, and redone one by one", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("undo"));
  await openNewFlow(page, {
    name: "Undo walk",
    document: {
      nodes: [
        { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
        { id: "greet", type: "core.set", name: "Greet", position: { x: 320, y: 0 }, config: { fields: [{ name: "greeting", value: "hello" }] } },
      ],
      edges: [],
    },
  });
  await expect(canvasNodes(page)).toHaveCount(2);
  const undo = page.getByRole("button", { name: "Undo", exact: true });
  const redo = page.getByRole("button", { name: "Redo", exact: true });
  await expect(undo).toBeDisabled();

  // 1. Add a node from the palette.
  await dragFromPalette(page, "Code", { x: 520, y: 560 });
  await expect(canvasNode(page, "Code")).toBeVisible();
  await nodePanel(page, "Code").getByRole("button", { name: "Close panel" }).click();
  const added = await nodeTransform(page, "Code");
  // 2. Move it.
  await moveNode(page, "Code", { x: 0, y: -96 });
  await expect.poll(() => nodeTransform(page, "Code")).not.toBe(added);
  const moved = await nodeTransform(page, "Code");
  // 3. Connect it.
  await connect(page, { node: "Start" }, { node: "Code" });
  await expect(canvasEdge(page, "Start", "Code")).toHaveCount(1);
  // 4. Rename it in its settings.
  await canvasNode(page, "Code").click();
  await nodePanel(page, "Code").getByRole("textbox", { name: "Node name" }).fill("Transform");
  await expect(canvasNode(page, "Transform")).toBeVisible();
  await nodePanel(page, "Transform").getByRole("button", { name: "Close panel" }).click();
  // 5. Delete another node.
  await canvasNode(page, "Greet").click();
  await expect(nodePanel(page, "Greet")).toBeVisible();
  // The key goes to the selected node itself, wherever the opening panel moved the focus meanwhile.
  await canvasNode(page, "Greet").press("Delete");
  await expect(canvasNode(page, "Greet")).toHaveCount(0);
  await expect(canvasNodes(page)).toHaveCount(2);
  await snap(page, testInfo, "after five edits");
  await expectSaved(page);

  // Focus on the canvas, away from any field: the shortcuts act on the flow.
  await canvas(page).locator(".react-flow__pane").click({ position: { x: 40, y: 300 } });

  await page.keyboard.press("Control+z");
  await expect(canvasNode(page, "Greet")).toBeVisible();
  await page.keyboard.press("Control+z");
  await expect(canvasNode(page, "Code")).toBeVisible();
  await expect(canvasNode(page, "Transform")).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect(canvasEdges(page)).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect.poll(() => nodeTransform(page, "Code")).toBe(added);
  await page.keyboard.press("Control+z");
  await expect(canvasNode(page, "Code")).toHaveCount(0);
  await expect(canvasNodes(page)).toHaveCount(2);
  await expect(canvasNode(page, "Start")).toBeVisible();
  await expect(canvasNode(page, "Greet")).toBeVisible();
  await expect(undo).toBeDisabled();
  await snap(page, testInfo, "undone to the start");
  await expectSaved(page);

  await page.keyboard.press("Control+Shift+z");
  await expect(canvasNode(page, "Code")).toBeVisible();
  await expect.poll(() => nodeTransform(page, "Code")).toBe(added);
  await page.keyboard.press("Control+Shift+z");
  await expect.poll(() => nodeTransform(page, "Code")).toBe(moved);
  await page.keyboard.press("Control+Shift+z");
  await expect(canvasEdge(page, "Start", "Code")).toHaveCount(1);
  await page.keyboard.press("Control+Shift+z");
  await expect(canvasNode(page, "Transform")).toBeVisible();
  await expect(canvasEdges(page)).toHaveCount(1);
  await page.keyboard.press("Control+Shift+z");
  await expect(canvasNode(page, "Greet")).toHaveCount(0);
  await expect(redo).toBeDisabled();
  await expectSaved(page);

  // The settings follow: the renamed node's panel shows its new name, and the draft is saved as redone.
  await canvasNode(page, "Transform").click();
  await expect(nodePanel(page, "Transform").getByRole("textbox", { name: "Node name" })).toHaveValue("Transform");
  await expectSaved(page);
  await snap(page, testInfo, "redone");

  // The connection is announced with the names the nodes have now.
  await expect(canvasEdge(page, "Start", "Transform")).toHaveCount(1);

  // An edit undone at once leaves nothing to save.
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(canvas(page).getByRole("textbox", { name: "Note text" })).toBeVisible();
  await undo.click();
  await expect(canvas(page).getByRole("textbox", { name: "Note text" })).toHaveCount(0);
  await expectSaved(page);
});
