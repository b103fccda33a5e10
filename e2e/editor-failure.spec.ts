import { expect, test } from "@playwright/test";
import { canvasNode, nodePanel, openNewFlow, signIn, snap, uniqueEmail } from "./support/editor";

test.use({ viewport: { width: 1280, height: 800 } });

test("a node that throws is marked failed and its error is shown in its data", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("failure"));
  await openNewFlow(page, {
    name: "Checks n",
    document: {
      nodes: [
        { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
        { id: "check", type: "core.code", name: "Check", position: { x: 300, y: 0 }, config: { code: 'if (items[0].json.n < 0) throw new Error("n must not be negative, got " + items[0].json.n);\nreturn items;' } },
        { id: "after", type: "core.set", name: "After", position: { x: 600, y: 0 }, config: { fields: [{ name: "ok", value: "yes" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "check" },
        { id: "e2", source: "check", target: "after" },
      ],
    },
  });

  // Run from the editor with test input.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Run with test input" });
  const input = dialog.getByRole("textbox", { name: "Test input (JSON)" });
  await input.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText('{ "n": -3 }');
  await expect(input).toHaveText('{ "n": -3 }');
  await dialog.getByRole("button", { name: "Start run" }).click();
  await expect(dialog).toBeHidden();

  // The run fails at the code node; the node says so, and the one after it did not run.
  await expect(page.getByRole("status").filter({ hasText: /^Run failed/ })).toBeVisible();
  await expect(canvasNode(page, "Check")).toHaveAccessibleName(/, failed/);
  await expect(canvasNode(page, "Check").getByText("Failed")).toBeVisible();
  await expect(canvasNode(page, "Start")).toHaveAccessibleName(/, succeeded/);
  await expect(canvasNode(page, "After")).not.toHaveAccessibleName(/, succeeded/);
  await snap(page, testInfo, "failed run");

  // Its data shows the error message.
  await canvasNode(page, "Check").click();
  const panel = nodePanel(page, "Check");
  await panel.getByRole("tab", { name: "Data" }).click();
  await expect(panel.getByRole("tabpanel")).toContainText("n must not be negative, got -3");
  await expect(panel.getByRole("tabpanel").getByRole("alert")).toContainText("n must not be negative, got -3");
  await snap(page, testInfo, "failed node data");
});
