import { expect, test, type Page, type TestInfo } from "@playwright/test";
import {
  canvas,
  canvasEdge,
  canvasEdges,
  canvasNode,
  canvasNodeById,
  connect,
  createFlow,
  dragFromPalette,
  edgePoints,
  expectEdgeFromHandle,
  expectNodeAt,
  expectSaved,
  nodePanel,
  openNewFlow,
  portHandle,
  problemsButton,
  signIn,
  snap,
  storedDraft,
  uniqueEmail,
} from "./support/editor";

// The size of the screen the first hour was spent on.
test.use({ viewport: { width: 1440, height: 900 } });

const at = (x: number, y: number) => ({ x, y });
const setNode = (id: string, name: string, position: { x: number; y: number }) => ({ id, type: "core.set", name, position, config: { fields: [{ name: "seen", value: name }] } });

/** The same screen in light and in dark colours. */
async function snapBoth(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await snap(page, testInfo, `${name} light`);
  await page.emulateMedia({ colorScheme: "dark" });
  await snap(page, testInfo, `${name} dark`);
  await page.emulateMedia({ colorScheme: "light" });
}

test("an A/B split's variant ports are wired on the canvas, stay while a variant is half-filled, and edges start at them after a reload", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("ports"));
  await openNewFlow(page, {
    name: "Checkout experiment",
    document: {
      nodes: [
        { id: "start", type: "core.manual-trigger", name: "Start", position: at(0, 0) },
        { id: "split", type: "ab.split", name: "Split", position: at(320, 0), config: { experiment: "checkout", key: "{{ user }}" } },
        setNode("control", "Control page", at(720, -160)),
        setNode("test", "Test page", at(720, 160)),
      ],
      edges: [{ id: "e1", source: "start", target: "split" }],
    },
  });

  // Two variants, filled in the node's settings: their outputs appear on the card.
  await canvasNode(page, "Split").click();
  const panel = nodePanel(page, "Split");
  await panel.getByRole("button", { name: "Add variant" }).click();
  await panel.getByRole("button", { name: "Add variant" }).click();
  await panel.getByLabel("Variant 1 Name").fill("control");
  await panel.getByLabel("Variant 1 Weight").fill("50");
  await panel.getByLabel("Variant 2 Name").fill("test");
  await panel.getByLabel("Variant 2 Weight").fill("50");
  await expect(portHandle(page, "Output", "Split", "control")).toBeVisible();
  await expect(portHandle(page, "Output", "Split", "test")).toBeVisible();
  await panel.getByRole("button", { name: "Close panel" }).click();

  // Dragged from the "control" port, the connection is made and drawn from that port.
  await connect(page, { node: "Split", port: "control" }, { node: "Control page" });
  await expect(canvasEdge(page, "Split", "Control page")).toHaveCount(1);
  await expectEdgeFromHandle(page, canvasEdge(page, "Split", "Control page"), portHandle(page, "Output", "Split", "control"));

  // Made from the node's panel, the other connection is drawn too, from its port.
  await canvasNode(page, "Split").click();
  await panel.getByRole("combobox", { name: "Connect output test to…" }).selectOption({ label: "Test page" });
  await expect(canvasEdge(page, "Split", "Test page")).toHaveCount(1);
  await expectEdgeFromHandle(page, canvasEdge(page, "Split", "Test page"), portHandle(page, "Output", "Split", "test"));

  // A third variant, not connected; then a name half-typed: the server cannot say the ports of that config, and
  // the card keeps the last ones it had, unused ones included.
  await panel.getByRole("button", { name: "Add variant" }).click();
  await panel.getByLabel("Variant 3 Name").fill("holdout");
  await panel.getByLabel("Variant 3 Weight").fill("10");
  await expect(portHandle(page, "Output", "Split", "holdout")).toBeVisible();
  await panel.getByLabel("Variant 2 Name").fill("");
  // The check after the change has come back (the ports were asked for at once, before it).
  await expect(problemsButton(page)).toHaveText("1 problem");
  await expect(portHandle(page, "Output", "Split", "holdout")).toBeVisible();
  await expect(portHandle(page, "Output", "Split", "test")).toBeVisible();
  await expect(canvasEdges(page)).toHaveCount(3);
  await panel.getByLabel("Variant 2 Name").fill("test");
  await panel.getByRole("button", { name: "Close panel" }).click();
  await expectSaved(page);

  // After a reload the ports come from the server again; every edge still starts at its own port.
  await page.reload();
  await expect(portHandle(page, "Output", "Split", "holdout")).toBeVisible();
  await expectEdgeFromHandle(page, canvasEdge(page, "Split", "Control page"), portHandle(page, "Output", "Split", "control"));
  await expectEdgeFromHandle(page, canvasEdge(page, "Split", "Test page"), portHandle(page, "Output", "Split", "test"));
  await snap(page, testInfo, "variant ports wired");
});

test("a loop is a problem on its edges: marked, named on hover and focus, listed, selected from the list, and drawn around the nodes", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("loop"));
  await openNewFlow(page, {
    name: "Looping",
    document: {
      nodes: [{ id: "start", type: "core.manual-trigger", name: "Start", position: at(0, 0) }, setNode("enrich", "Enrich", at(320, 0)), setNode("check", "Check", at(640, 0))],
      edges: [
        { id: "e1", source: "start", target: "enrich" },
        { id: "e2", source: "enrich", target: "check" },
        { id: "back", source: "check", target: "enrich" },
      ],
    },
  });

  await expect(problemsButton(page)).toHaveText("1 problem");
  const loopEdge = canvasEdge(page, "Check", "Enrich");
  await expect(loopEdge).toHaveAccessibleName(/, 1 problem$/);
  await expect(canvasEdge(page, "Enrich", "Check")).toHaveAccessibleName(/, 1 problem$/);
  await expect(canvasNode(page, "Enrich")).not.toHaveAccessibleName(/problem/);

  // The marker on the loop's closing edge tells what is wrong, on hover and on focus.
  const marker = canvas(page).getByRole("button", { name: "Problem on this connection" }).last();
  await expect(marker).toBeVisible();
  await marker.hover();
  await expect(page.getByRole("tooltip").filter({ hasText: 'The flow has a cycle through "Enrich" → "Check" → "Enrich"' })).toBeVisible();
  await marker.focus();
  await expect(marker).toHaveAccessibleDescription(/cycle through/);

  // The line back is drawn around the cards, not behind them.
  const cards = [await canvasNode(page, "Enrich").boundingBox(), await canvasNode(page, "Check").boundingBox()];
  const hidden = (await edgePoints(loopEdge)).filter((p) => cards.some((box) => box && p.x > box.x + 8 && p.x < box.x + box.width - 8 && p.y > box.y + 4 && p.y < box.y + box.height - 4));
  expect(hidden, "points of the loop's line behind a card").toEqual([]);

  // Picked in the problems list, the problem selects its edge.
  await page.mouse.move(10, 890);
  await problemsButton(page).click();
  const problem = page.getByRole("list", { name: "Problems" }).getByRole("button", { name: /cycle through/ });
  await expect(problem).toBeVisible();
  await snapBoth(page, testInfo, "loop problem listed");
  await problem.click();
  await expect(loopEdge).toHaveClass(/selected/);
  await marker.hover();
  await snapBoth(page, testInfo, "loop problem on its edge");

  // Deleting the selected edge ends the problem.
  await page.keyboard.press("Delete");
  await expect(problemsButton(page)).toHaveText("No problems");
});

test("a node dropped on the empty flow's card is added where it was dropped", async ({ page }) => {
  await signIn(page, uniqueEmail("empty-drop"));
  await createFlow(page, "Starting out");
  const card = page.getByText("This flow is empty.");
  await expect(card).toBeVisible();
  const pane = await canvas(page).boundingBox();
  const box = await card.boundingBox();
  if (!pane || !box) throw new Error("the canvas or the empty flow's card is not on screen");
  const drop = { x: Math.round(box.x + box.width / 2 - pane.x), y: Math.round(box.y + box.height / 2 - pane.y) };

  await dragFromPalette(page, "Manual trigger", drop, { over: true });
  await expect(canvasNode(page, "Manual trigger")).toBeVisible();
  await expectNodeAt(page, "Manual trigger", drop);
  await expect(card).toBeHidden();
});

test("a node's badge counts the same problems as the header", async ({ page }) => {
  await signIn(page, uniqueEmail("counts"));
  await openNewFlow(page, {
    name: "Counting",
    document: { nodes: [{ id: "start", type: "core.manual-trigger", name: "Start", position: at(0, 0) }, setNode("greet", "Greet", at(320, 0))], edges: [{ id: "e1", source: "start", target: "greet" }] },
  });
  await expect(problemsButton(page)).toHaveText("No problems");

  // An emptied name: the check after the change and the refused save find the same problem.
  await canvasNode(page, "Greet").click();
  await nodePanel(page, "Greet").getByRole("textbox", { name: "Node name" }).fill("");
  await expect(page.getByText("Not saved", { exact: true })).toBeVisible();
  await expect(problemsButton(page)).toHaveText("1 problem");
  const greet = canvasNodeById(page, "greet");
  await expect(greet.getByText(/problems?$/)).toHaveText("⚠ 1 problem");
  await expect(greet).toHaveAccessibleName(/, 1 problem$/);
});

test("every node type has its icon, in the palette and on its card", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("icons"));
  await openNewFlow(page, {
    name: "Icons",
    document: {
      nodes: [
        { id: "hook", type: "core.webhook", name: "Webhook", position: at(0, 0), config: { path: "orders" } },
        { id: "split", type: "ab.split", name: "Split", position: at(320, 0), config: { experiment: "checkout", key: "{{ body.user }}", variants: [{ name: "a", weight: 1 }, { name: "b", weight: 1 }] } },
        { id: "ask", type: "ai.llm", name: "Ask", position: at(640, -120) },
        { id: "code", type: "core.code", name: "Code", position: at(640, 120), config: { code: "return items;" } },
      ],
      edges: [
        { id: "e1", source: "hook", target: "split" },
        { id: "e2", source: "split", sourcePort: "a", target: "ask" },
        { id: "e3", source: "split", sourcePort: "b", target: "code" },
      ],
    },
  });
  const palette = page.getByRole("navigation", { name: "Node palette" });
  const entries = palette.getByRole("button", { name: /^Add / });
  const count = await entries.count();
  expect(count).toBeGreaterThan(10);
  for (let i = 0; i < count; i++) await expect(entries.nth(i).locator("svg")).toHaveCount(1);
  for (const name of ["Webhook", "Split", "Ask", "Code"]) await expect(canvasNode(page, name).locator("svg.lucide")).toHaveCount(1);
  // Different types, different icons.
  const drawings = await Promise.all(["Webhook", "Split", "Code"].map((name) => canvasNode(page, name).locator("svg.lucide").getAttribute("class")));
  expect(new Set(drawings).size).toBe(3);
  await page.mouse.move(10, 890);
  await snapBoth(page, testInfo, "canvas with icons");
});

test("deleting a node in the middle joins its neighbours, or offers to; nodes no trigger reaches are warned about", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("reconnect"));
  const ref = await openNewFlow(page, {
    name: "Chain",
    document: {
      nodes: [
        { id: "start", type: "core.manual-trigger", name: "Start", position: at(0, 0) },
        setNode("greet", "Greet", at(320, 0)),
        setNode("shout", "Shout", at(640, 0)),
        { id: "check", type: "core.if", name: "Check", position: at(960, 0), config: { conditions: [{ left: "{{ seen }}", operator: "isNotEmpty" }] } },
        setNode("yes", "Yes", at(1280, -120)),
        setNode("no", "No", at(1280, 120)),
        setNode("orphan", "Orphan", at(320, 240)),
      ],
      edges: [
        { id: "e1", source: "start", target: "greet" },
        { id: "e2", source: "greet", target: "shout" },
        { id: "e3", source: "shout", target: "check" },
        { id: "e4", source: "check", sourcePort: "true", target: "yes" },
        { id: "e5", source: "check", sourcePort: "false", target: "no" },
      ],
    },
  });

  // A node no trigger leads to is a warning, on its card and in the list; the flow still has no error.
  await expect(problemsButton(page)).toHaveText("1 warning");
  await expect(canvasNode(page, "Orphan")).toHaveAccessibleName(/, 1 warning$/);
  await expect(canvasNode(page, "Orphan").getByText("1 warning")).toBeVisible();
  await problemsButton(page).click();
  await expect(page.getByRole("list", { name: "Problems" }).getByRole("button")).toHaveText(['Warning Node "Orphan" is not connected to a trigger, so it never runs: connect it, or delete it']);
  await page.keyboard.press("Escape");

  // Deleting Greet from Start → Greet → Shout joins Start to Shout, and says so.
  await canvasNode(page, "Greet").click();
  await canvasNode(page, "Greet").press("Delete");
  await expect(canvasNode(page, "Greet")).toHaveCount(0);
  await expect(canvasEdge(page, "Start", "Shout")).toHaveCount(1);
  const banner = page.getByRole("status", { name: "Reconnect" });
  await expect(banner).toContainText('Deleted "Greet" and connected "Start" → "Shout".');
  await page.mouse.move(10, 890);
  await snapBoth(page, testInfo, "reconnected");
  await expectSaved(page);
  expect((await storedDraft(page, ref)).edges.map((e) => `${e.source}>${e.target}`)).toContain("start>shout");

  // The join can be taken back alone: Shout and what follows it are then cut off, and warned about.
  await banner.getByRole("button", { name: "Undo reconnect" }).click();
  await expect(canvasEdge(page, "Start", "Shout")).toHaveCount(0);
  await expect(canvasNode(page, "Shout")).toHaveAccessibleName(/, 1 warning$/);
  await expect(problemsButton(page)).toHaveText("5 warnings");
  // Undo brings the join back, then the node.
  await canvas(page).locator(".react-flow__pane").click({ position: { x: 40, y: 700 } });
  await page.keyboard.press("Control+z");
  await expect(canvasEdge(page, "Start", "Shout")).toHaveCount(1);
  await page.keyboard.press("Control+z");
  await expect(canvasNode(page, "Greet")).toBeVisible();
  await expect(canvasEdge(page, "Start", "Greet")).toHaveCount(1);

  // An If sends items two ways: deleting it only offers to join what fed it to both.
  await canvasNode(page, "Check").click();
  await canvasNode(page, "Check").press("Delete");
  await expect(canvasNode(page, "Check")).toHaveCount(0);
  await expect(canvasEdge(page, "Shout", "Yes")).toHaveCount(0);
  await expect(banner).toContainText('Deleted "Check". Connect "Shout" → "Yes", "Shout" → "No"?');
  await page.mouse.move(10, 890);
  await snapBoth(page, testInfo, "reconnect offered");
  await banner.getByRole("button", { name: "Connect" }).click();
  await expect(canvasEdge(page, "Shout", "Yes")).toHaveCount(1);
  await expect(canvasEdge(page, "Shout", "No")).toHaveCount(1);
  await expect(problemsButton(page)).toHaveText("1 warning");
});
