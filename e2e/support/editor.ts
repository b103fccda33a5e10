import { randomBytes } from "node:crypto";
import { type Locator, type Page, type TestInfo, expect } from "@playwright/test";

/** An address no other journey (nor an earlier run against the same database) uses. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}@example.test`;
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/signin");
  const submit = page.getByRole("button", { name: "Sign in for development" });
  // The form takes input once the page is live (the button says when): typing earlier is lost when it hydrates.
  await expect(submit).toBeEnabled();
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await submit.click();
  await expect(page.getByRole("heading", { name: "Flows", exact: true })).toBeVisible();
}

/** Creates a flow from the flow list, as a person does, and waits for its editor. */
export async function createFlow(page: Page, name: string): Promise<string> {
  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByRole("textbox", { name: "Flow name" }).fill(name);
  await page.getByRole("button", { name: "Create flow" }).click();
  await expect(page).toHaveURL(/\/flows\/[^/]+$/);
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(canvas(page)).toBeVisible();
  return page.url();
}

/** React Flow's canvas (role "application"). */
export function canvas(page: Page): Locator {
  return page.locator(".react-flow").and(page.getByRole("application"));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A node on the canvas by its name; its accessible name is "<name>, <type name>[, status][, problems]". */
export function canvasNode(page: Page, name: string): Locator {
  return canvas(page).getByRole("group", { name: new RegExp(`^${escapeRegExp(name)}, `) });
}

/** Every node card on the canvas. */
export function canvasNodes(page: Page): Locator {
  return canvas(page).locator('[aria-roledescription="node"]');
}

/** Every connection on the canvas. */
export function canvasEdges(page: Page): Locator {
  return canvas(page).locator('[aria-roledescription="edge"]');
}

/** The connection from one node to another, by their names. */
export function canvasEdge(page: Page, from: string, to: string): Locator {
  return canvas(page).getByRole("group", { name: new RegExp(`^Connection from ${escapeRegExp(from)} \\(.+\\) to ${escapeRegExp(to)} \\(`) });
}

/**
 * Drags a node type from the palette and drops it on the canvas at a point given relative to the canvas. With
 * `over`, it is dropped on whatever lies over the canvas there (the empty flow's card), as a person would.
 */
export async function dragFromPalette(page: Page, typeName: string, at: { x: number; y: number }, { over = false }: { over?: boolean } = {}): Promise<void> {
  const palette = page.getByRole("navigation", { name: "Node palette" });
  const search = palette.getByRole("searchbox", { name: "Search nodes" });
  await search.fill(typeName);
  await palette.getByRole("button", { name: `Add ${typeName}`, exact: true }).dragTo(canvas(page).locator(".react-flow__pane"), { targetPosition: at, force: over });
  await search.fill("");
}

/** A port's handle on the canvas, by its accessible name ("Output out of Fetch", "Input in of Merge"). */
export function portHandle(page: Page, side: "Output" | "Input", node: string, port: string): Locator {
  return canvas(page).getByRole("img", { name: `${side} ${port} of ${node}`, exact: true });
}

/** Draws a connection with the mouse from a node's output handle to another node's input handle. */
export async function connect(page: Page, from: { node: string; port?: string }, to: { node: string; port?: string }): Promise<void> {
  const source = portHandle(page, "Output", from.node, from.port ?? "out");
  const target = portHandle(page, "Input", to.node, to.port ?? "in");
  const a = await center(source);
  const b = await center(target);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  // Several steps, so React Flow sees a drag and follows it to the target handle.
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/**
 * Drags a node card with the mouse so that its centre lands on a point given relative to the canvas. Node cards are
 * dragged by their name line, away from the handles on either side.
 */
export async function placeNode(page: Page, name: string, at: { x: number; y: number }): Promise<void> {
  const pane = await canvas(page).boundingBox();
  const box = await canvasNode(page, name).boundingBox();
  if (!pane || !box) throw new Error(`node ${name} is not on screen`);
  await moveNode(page, name, { x: pane.x + at.x - (box.x + box.width / 2), y: pane.y + at.y - (box.y + box.height / 2) });
}

/** Drags a node card by the given offset, with the mouse. */
export async function moveNode(page: Page, name: string, by: { x: number; y: number }): Promise<void> {
  const node = canvasNode(page, name);
  const box = await node.boundingBox();
  if (!box) throw new Error(`node ${name} is not on screen`);
  // The name line of the card: away from the handles on either side.
  const start = { x: box.x + box.width / 2, y: box.y + 16 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + by.x / 2, start.y + by.y / 2, { steps: 5 });
  await page.mouse.move(start.x + by.x, start.y + by.y, { steps: 5 });
  await page.mouse.up();
}

async function center(locator: Locator): Promise<{ x: number; y: number }> {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  if (!box) throw new Error("the element has no box on screen");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Expects a node's card to cover a point given relative to the canvas (where it was dropped, say). */
export async function expectNodeAt(page: Page, name: string, at: { x: number; y: number }): Promise<void> {
  const pane = await canvas(page).boundingBox();
  if (!pane) throw new Error("the canvas is not on screen");
  const point = { x: pane.x + at.x, y: pane.y + at.y };
  await expect
    .poll(async () => {
      const box = await canvasNode(page, name).boundingBox();
      return Boolean(box && point.x >= box.x && point.x <= box.x + box.width && point.y >= box.y && point.y <= box.y + box.height);
    }, { message: `${name} covers (${at.x}, ${at.y}) of the canvas` })
    .toBe(true);
}

/** The side panel of the selected node. */
export function nodePanel(page: Page, name: string): Locator {
  return page.getByRole("complementary", { name: `Node ${name}` });
}

/** The draft's save status in the editor's header. */
export async function expectSaved(page: Page): Promise<void> {
  await expect(page.getByRole("status").filter({ hasText: /^(All changes saved|Saved)$/ })).toBeVisible();
}

/** Keeps a screenshot of the page at a moment worth seeing: a file in the test's output folder, attached to the report. */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name.replace(/[^A-Za-z0-9-]+/g, "-")}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** Calls a tRPC procedure from the signed-in page, as the editor does (superjson over HTTP). */
export async function trpc<T>(page: Page, kind: "query" | "mutation", path: string, input?: unknown): Promise<T> {
  return page.evaluate(
    async ({ kind, path, input }) => {
      const payload = encodeURIComponent(JSON.stringify({ json: input ?? null }));
      const res =
        kind === "query"
          ? await fetch(`/api/trpc/${path}?input=${payload}`)
          : await fetch(`/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: input }) });
      const body = (await res.json()) as { result?: { data: { json: unknown } }; error?: { json: { message: string } } };
      if (!res.ok || !body.result) throw new Error(`${path}: ${body.error?.json.message ?? res.status}`);
      return body.result.data.json;
    },
    { kind, path, input },
  ) as Promise<T>;
}

/** The workspace of a freshly signed-in user (each user starts with one). */
export async function ownWorkspace(page: Page): Promise<{ id: string; slug: string }> {
  const [workspace] = await trpc<{ id: string; slug: string }[]>(page, "query", "workspace.list");
  if (!workspace) throw new Error("the signed-in user has no workspace");
  return workspace;
}

/** Stores a flow with the given document (the starting point of a journey) and opens it in the editor. */
export async function openNewFlow(page: Page, { name, document }: { name: string; document: object }): Promise<{ workspaceId: string; flowId: string }> {
  const workspace = await ownWorkspace(page);
  const flow = await trpc<{ id: string }>(page, "mutation", "flow.create", { workspaceId: workspace.id, name, document: { schema: "streamware.flow/1", ...document } });
  await page.goto(`/w/${workspace.slug}/flows/${flow.id}`);
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(canvas(page)).toBeVisible();
  return { workspaceId: workspace.id, flowId: flow.id };
}

/** The flow's stored draft, as the editor saved it. */
export async function storedDraft(page: Page, ref: { workspaceId: string; flowId: string }): Promise<{ nodes: { id: string; name: string; type: string }[]; edges: { id: string; source: string; target: string }[] }> {
  const flow = await trpc<{ draft: { nodes: { id: string; name: string; type: string }[]; edges: { id: string; source: string; target: string }[] } }>(page, "query", "flow.get", ref);
  return flow.draft;
}

/** Where a node card sits on the canvas, in flow coordinates (React Flow places each card by a CSS transform). */
export function nodeTransform(page: Page, name: string): Promise<string> {
  return canvasNode(page, name).evaluate((el) => (el as HTMLElement).style.transform);
}

/** Screenshots of one part of the page in the light and the dark colour scheme, kept and attached to the report. */
export async function snapLightAndDark(page: Page, part: Locator, testInfo: TestInfo, name: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const path = testInfo.outputPath(`${name.replace(/[^A-Za-z0-9-]+/g, "-")}-${colorScheme}.png`);
    await part.screenshot({ path });
    await testInfo.attach(`${name} (${colorScheme})`, { path, contentType: "image/png" });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** A node card by its id, whatever its name (an emptied name, say). */
export function canvasNodeById(page: Page, id: string): Locator {
  return canvas(page).locator(`.react-flow__node[data-id="${id}"]`);
}

/** The header's button that counts the flow's problems and warnings and opens their list. */
export function problemsButton(page: Page): Locator {
  return page.getByRole("button", { name: /^(No problems|\d+ (problem|warning)s?\b)/ });
}

/** Where a connection's line starts and ends on screen, as drawn. */
export async function edgeEnds(edge: Locator): Promise<{ start: { x: number; y: number }; end: { x: number; y: number } }> {
  return edge.locator("path.react-flow__edge-path").evaluate((path: SVGPathElement) => {
    const matrix = path.getScreenCTM()!;
    const start = path.getPointAtLength(0).matrixTransform(matrix);
    const end = path.getPointAtLength(path.getTotalLength()).matrixTransform(matrix);
    return { start: { x: start.x, y: start.y }, end: { x: end.x, y: end.y } };
  });
}

/** Points along a connection's line on screen, about every 8 px of it. */
export async function edgePoints(edge: Locator): Promise<{ x: number; y: number }[]> {
  return edge.locator("path.react-flow__edge-path").evaluate((path: SVGPathElement) => {
    const matrix = path.getScreenCTM()!;
    const length = path.getTotalLength();
    const points: { x: number; y: number }[] = [];
    for (let at = 0; at <= length; at += 8) {
      const p = path.getPointAtLength(at).matrixTransform(matrix);
      points.push({ x: p.x, y: p.y });
    }
    return points;
  });
}

/** Expects a connection's line to start at a port's handle (on its dot, which React Flow joins at its outer edge). */
export async function expectEdgeFromHandle(page: Page, edge: Locator, handle: Locator): Promise<void> {
  await expect
    .poll(async () => {
      const box = await handle.boundingBox();
      if (!box || (await edge.count()) === 0) return "no line or no handle";
      const { start } = await edgeEnds(edge);
      const off = Math.max(box.x - start.x, start.x - (box.x + box.width), box.y - start.y, start.y - (box.y + box.height), 0);
      return off <= 2 ? "on its port" : `${Math.round(off)} px away from its port`;
    }, { message: "the connection starts at its port" })
    .toBe("on its port");
}
