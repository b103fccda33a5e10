import { expect, test } from "@playwright/test";
import { canvas, canvasEdge, canvasEdges, canvasNode, expectSaved, nodePanel, openNewFlow, portHandle, signIn, snap, uniqueEmail } from "./support/editor";

const flow = {
  nodes: [
    { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
    { id: "greet", type: "core.set", name: "Greet", position: { x: 300, y: 0 }, config: { fields: [{ name: "greeting", value: "hello" }] } },
  ],
  edges: [{ id: "e1", source: "start", target: "greet" }],
  notes: [{ id: "note", text: "Says hello", position: { x: 0, y: 160 }, width: 240, height: 120, color: "yellow" }],
};

test.describe("keyboard and dark mode", () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test("? opens the shortcuts, which list undo, redo, copy and paste", async ({ page }, testInfo) => {
    await signIn(page, uniqueEmail("keys"));
    await openNewFlow(page, { name: "Shortcuts", document: flow });
    await expect(canvasNode(page, "Greet")).toBeVisible();
    await canvas(page).locator(".react-flow__pane").click({ position: { x: 40, y: 300 } });

    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(help).toBeVisible();
    for (const what of [/ Undo$/, / Redo\b/, /copy.*paste/i]) await expect(help.getByRole("row", { name: what })).toHaveCount(1);
    // Linux here: the modifier is written Ctrl (⌘ only on a Mac).
    await expect(help.getByRole("rowheader", { name: "Ctrl + Z", exact: true })).toBeVisible();
    await expect(help.getByText("⌘")).toHaveCount(0);
    await snap(page, testInfo, "shortcuts");
    await page.keyboard.press("Escape");
    await expect(help).toBeHidden();

    // The toolbar is reached with Tab, and the focused control is visibly marked.
    await page.getByRole("link", { name: "← All flows" }).focus();
    await page.keyboard.press("Tab");
    const focused = page.locator(":focus");
    await expect(focused).toBeVisible();
    const outline = await focused.evaluate((el) => {
      const style = getComputedStyle(el);
      return { outline: style.outlineStyle, width: style.outlineWidth, shadow: style.boxShadow };
    });
    expect(outline.outline !== "none" || outline.shadow !== "none").toBe(true);
  });

  test("a flow is wired and unwired from the keyboard alone", async ({ page }, testInfo) => {
    await signIn(page, uniqueEmail("wire"));
    await openNewFlow(page, { name: "Keyboard wiring", document: { ...flow, edges: [] } });
    await expect(canvasEdges(page)).toHaveCount(0);
    // The ports are named for assistive technology.
    await expect(portHandle(page, "Output", "Start", "out")).toBeVisible();
    await expect(portHandle(page, "Input", "Greet", "in")).toBeVisible();

    // The palette is put away from the keyboard, a node is reached with Tab and opened with Enter; its panel offers
    // the nodes its output may connect to.
    await page.getByRole("button", { name: "Hide node palette" }).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("button", { name: "Show node palette" })).toBeFocused();
    const start = canvasNode(page, "Start");
    for (let i = 0; i < 20; i++) {
      if (await start.evaluate((el) => el === document.activeElement)) break;
      await page.keyboard.press("Tab");
    }
    await expect(start).toBeFocused();
    await page.keyboard.press("Enter");
    const panel = nodePanel(page, "Start");
    await expect(panel).toBeVisible();
    const connections = panel.getByRole("region", { name: "Connections" });
    const pick = connections.getByRole("combobox", { name: "Connect output to…" });
    await expect(pick.getByRole("option", { name: "Greet" })).toHaveCount(1);
    await pick.focus();
    await pick.selectOption({ label: "Greet" });
    await expect(canvasEdge(page, "Start", "Greet")).toHaveCount(1);
    await expect(connections.getByRole("list", { name: "Output" })).toContainText("To Greet (in)");
    // Already connected: Greet is offered no more.
    await expect(pick.getByRole("option", { name: "Greet" })).toHaveCount(0);
    await expectSaved(page);
    await snap(page, testInfo, "wired from the keyboard");

    await connections.getByRole("button", { name: "Remove the connection from Start (out) to Greet (in)" }).press("Enter");
    await expect(canvasEdges(page)).toHaveCount(0);
    await expect(connections.getByRole("list", { name: "Output" })).toContainText("Not connected");
  });

  test.describe("in dark mode", () => {
    test.use({ colorScheme: "dark" });

    test("the editor renders dark at 1280×800", async ({ page }, testInfo) => {
      await signIn(page, uniqueEmail("dark"));
      await openNewFlow(page, { name: "Night shift", document: flow });
      await expect(canvasNode(page, "Greet")).toBeVisible();
      await expect(canvas(page)).toHaveClass(/\bdark\b/);
      // Light text on a dark card: the node's name reads light.
      const [text, background] = await canvasNode(page, "Greet").locator("div").first().evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]);
      expect(luminance(text!)).toBeGreaterThan(luminance(background!));
      await canvasNode(page, "Greet").click();
      await expect(page.getByRole("complementary", { name: "Node Greet" })).toBeVisible();
      await snap(page, testInfo, "dark editor");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
      await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
      await snap(page, testInfo, "dark shortcuts");
    });
  });
});

/** Relative luminance of a CSS colour as the browser computes it (rgb() or a colour space Chromium reports). */
function luminance(color: string): number {
  const rgb = color.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/);
  if (rgb) return (0.2126 * Number(rgb[1]) + 0.7152 * Number(rgb[2]) + 0.0722 * Number(rgb[3])) / 255;
  const oklch = color.match(/^oklch\(([\d.]+)(%?)/);
  if (oklch) return Number(oklch[1]) / (oklch[2] ? 100 : 1);
  const oklab = color.match(/^oklab\(([\d.]+)(%?)/);
  if (oklab) return Number(oklab[1]) / (oklab[2] ? 100 : 1);
  const lab = color.match(/^lab\(([\d.]+)/);
  if (lab) return Number(lab[1]) / 100;
  throw new Error(`cannot read the colour ${color}`);
}
