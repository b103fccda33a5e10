import { randomBytes } from "node:crypto";
import { type Page, type TestInfo, expect, test } from "@playwright/test";
import { canvas, openNewFlow, ownWorkspace, signIn, snap, trpc, uniqueEmail } from "./support/editor";

test.use({ viewport: { width: 1440, height: 900 } });

/** A webhook that answers with the last node's output: a Set node saying which version answered. */
function answering(hookPath: string, answer: string, extra: object[] = []) {
  return {
    schema: "streamware.flow/1",
    nodes: [
      { id: "hook", type: "core.webhook", name: "Webhook", position: { x: 0, y: 0 }, config: { path: hookPath, respond: "lastNode" } },
      { id: "say", type: "core.set", name: "Answer", position: { x: 280, y: 0 }, config: { fields: [{ name: "answer", value: answer }], keepOnlySet: true } },
      ...extra,
    ],
    edges: [{ id: "e1", source: "hook", target: "say" }],
  };
}

/** The page in light and then dark colours, each kept as a screenshot; ends in light. */
async function snapBothSchemes(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: "light" });
  await snap(page, testInfo, `${name} light`);
  await page.emulateMedia({ colorScheme: "dark" });
  await snap(page, testInfo, `${name} dark`);
  await page.emulateMedia({ colorScheme: "light" });
}

test("saving a version keeps the live one running until the new one is activated, and an earlier one can be rolled back to", async ({ page, request }, testInfo) => {
  const hookPath = `e2e/live-${randomBytes(4).toString("hex")}`;
  await signIn(page, uniqueEmail("live"));
  const ref = await openNewFlow(page, { name: "Live answers", document: answering(hookPath, "one") });
  const hookUrl = `/hooks/${(await ownWorkspace(page)).slug}/${hookPath}`;
  const answer = async () => ((await (await request.post(hookUrl, { data: {} })).json()) as { answer: string }).answer;

  const versions = page.getByRole("complementary", { name: "Versions" });
  await page.getByRole("button", { name: "Versions", exact: true }).click();
  await versions.getByRole("textbox", { name: "Version message" }).fill("Answers one");
  await versions.getByRole("button", { name: "Save version" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved version 1." })).toBeVisible();
  await page.getByRole("switch", { name: "Active" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The flow is active: v1 runs on its triggers." })).toBeVisible();
  await expect(versions.getByRole("listitem").filter({ hasText: "v1" })).toContainText("Live");
  expect(await answer()).toBe("one");

  // A second version, from a changed draft: saved, it is offered for activation, and triggers keep running v1.
  await trpc(page, "mutation", "flow.saveDraft", { ...ref, document: answering(hookPath, "two") });
  await page.reload();
  await expect(canvas(page)).toBeVisible();
  await page.getByRole("button", { name: "Versions", exact: true }).click();
  await versions.getByRole("textbox", { name: "Version message" }).fill("Answers two");
  await versions.getByRole("button", { name: "Save version" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved version 2. v1 stays live until you activate v2." })).toBeVisible();
  const offer = page.getByRole("region", { name: "Live version" });
  await expect(offer).toContainText("v1 is live");
  await expect(versions.getByRole("listitem").filter({ hasText: "v1" })).toContainText("Live");
  await expect(versions.getByRole("listitem").filter({ hasText: "v2" })).not.toContainText("Live");
  await snapBothSchemes(page, testInfo, "v2 saved, v1 live");
  expect(await answer()).toBe("one");

  await offer.getByRole("button", { name: "Activate v2" }).click();
  await expect(page.getByRole("status").filter({ hasText: "v2 is live: it runs on the flow's triggers." })).toBeVisible();
  await expect(offer).toBeHidden();
  await expect(versions.getByRole("listitem").filter({ hasText: "v2" })).toContainText("Live");
  expect(await answer()).toBe("two");

  // Rolling back: any earlier version can be made live again from the versions panel.
  await versions.getByRole("button", { name: "Activate v1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "v1 is live: it runs on the flow's triggers." })).toBeVisible();
  await expect(versions.getByRole("listitem").filter({ hasText: "v1" })).toContainText("Live");
  await expect(offer.getByRole("button", { name: "Activate v2" })).toBeVisible();
  await snapBothSchemes(page, testInfo, "rolled back to v1");
  expect(await answer()).toBe("one");

  // The flow list says which version is live.
  await page.getByRole("link", { name: "← All flows" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "Live answers" })).toContainText("Active · v1 live · 2 versions");
});

test("two versions, or a version and the draft, are compared on a canvas and as JSON", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("diff"));
  const hookPath = `e2e/diff-${randomBytes(4).toString("hex")}`;
  const before = answering(hookPath, "one", [{ id: "gone", type: "core.delay", name: "Old step", position: { x: 560, y: 0 }, config: { ms: 1 } }]);
  const ref = await openNewFlow(page, { name: "Compared", document: before });
  await trpc(page, "mutation", "flow.saveVersion", { ...ref, document: before, message: "first" });
  const after = answering(hookPath, "two", [{ id: "new", type: "core.delay", name: "New step", position: { x: 560, y: 160 }, config: { ms: 1 } }]);
  after.edges.push({ id: "e2", source: "say", target: "new" });
  await trpc(page, "mutation", "flow.saveVersion", { ...ref, document: after, message: "second" });
  await page.reload();
  await expect(canvas(page)).toBeVisible();

  await page.getByRole("button", { name: "Versions", exact: true }).click();
  const versions = page.getByRole("complementary", { name: "Versions" });
  await versions.getByRole("button", { name: "Compare v1 with…" }).click();
  const dialog = page.getByRole("dialog", { name: "Compare versions" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("combobox", { name: "With" }).selectOption({ label: "v2 — second" });
  await expect(dialog.getByRole("status")).toHaveText("1 node added, 1 removed, 1 changed; 1 connection added");
  const diffCanvas = dialog.getByRole("application");
  await expect(diffCanvas.getByRole("group", { name: "New step, added" })).toBeVisible();
  await expect(diffCanvas.getByRole("group", { name: "Old step, removed" })).toBeVisible();
  await expect(diffCanvas.getByRole("group", { name: /^Answer, changed: config\.fields/ })).toBeVisible();
  await expect(diffCanvas.getByRole("group", { name: "Webhook, unchanged" })).toBeVisible();
  await snapBothSchemes(page, testInfo, "diff canvas");

  await dialog.getByRole("tab", { name: "JSON" }).click();
  const json = dialog.getByRole("tabpanel", { name: "JSON" });
  await expect(json.locator("[data-line='removed']").filter({ hasText: '"value": "one"' })).toHaveCount(1);
  await expect(json.locator("[data-line='added']").filter({ hasText: '"value": "two"' })).toHaveCount(1);
  await expect(json.locator("[data-line='added']").filter({ hasText: '"name": "New step"' })).toHaveCount(1);
  await snapBothSchemes(page, testInfo, "diff json");

  // Against the draft, which holds v2: nothing differs.
  await dialog.getByRole("combobox", { name: "Compare" }).selectOption({ label: "v2 — second" });
  await dialog.getByRole("combobox", { name: "With" }).selectOption({ label: "The draft" });
  await expect(dialog.getByRole("status")).toHaveText("No differences");
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
});

test("a flow is duplicated from the list and from the editor, inactive and with webhook paths of its own", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("copy"));
  const hookPath = `orders-${randomBytes(3).toString("hex")}`;
  const ref = await openNewFlow(page, { name: "Orders", document: answering(hookPath, "one") });
  await trpc(page, "mutation", "flow.saveVersion", { ...ref, document: answering(hookPath, "one"), message: "" });
  await trpc(page, "mutation", "flow.activate", { ...ref, versionNumber: 1 });

  await page.getByRole("link", { name: "← All flows" }).click();
  await page.getByRole("button", { name: "Duplicate Orders" }).click();
  const copied = page.getByRole("status").filter({ hasText: "Created “Orders (copy)”, inactive." });
  await expect(copied).toContainText(`Webhook “Webhook” answers at “${hookPath}-copy” in the copy, so it does not clash with “Orders”.`);
  const copyRow = page.getByRole("listitem").filter({ has: page.getByRole("link", { name: "Orders (copy)", exact: true }) });
  await expect(copyRow).toContainText("Inactive");
  await snapBothSchemes(page, testInfo, "duplicated from the list");

  // From the editor's flow menu: the copy opens, and says what changed.
  await page.getByRole("link", { name: "Orders", exact: true }).click();
  await expect(canvas(page)).toBeVisible();
  await page.getByRole("button", { name: "Flow menu" }).click();
  await page.getByRole("menuitem", { name: "Duplicate flow" }).click();
  await expect(page.getByRole("heading", { name: "Orders (copy 2)", exact: true })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "This is a copy of “Orders”, inactive." })).toContainText(`“${hookPath}-copy-2”`);
  await expect(page.getByRole("switch", { name: "Active" })).toHaveAttribute("aria-checked", "false");
  await snapBothSchemes(page, testInfo, "duplicated from the editor");
  const stored = await trpc<{ draft: { nodes: { config: { path?: string } }[] } }>(page, "query", "flow.get", { ...ref, flowId: new URL(page.url()).pathname.split("/").pop() });
  expect(stored.draft.nodes[0]!.config.path).toBe(`${hookPath}-copy-2`);
});

test("the flow list is searched by name and tag, and filtered by tag; tags are edited on a flow", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("tags"));
  const workspace = await ownWorkspace(page);
  for (const name of ["Invoice sync", "Nightly report", "Kitchen lights"]) await trpc(page, "mutation", "flow.create", { workspaceId: workspace.id, name });
  await page.reload();
  // Rows only: each row holds a list of its tags too.
  const rows = page.getByRole("list", { name: "Flows" }).locator(":scope > li");
  await expect(rows).toHaveCount(3);

  await page.getByRole("button", { name: "Edit tags of Invoice sync" }).click();
  const tags = page.getByRole("textbox", { name: "Tags of Invoice sync" });
  await tags.fill("billing, Nightly ,billing");
  await tags.press("Enter");
  const invoice = rows.filter({ hasText: "Invoice sync" });
  await expect(invoice.getByRole("list", { name: "Tags" }).getByRole("listitem")).toHaveText(["billing", "Nightly"]);
  await page.getByRole("button", { name: "Edit tags of Nightly report" }).click();
  await page.getByRole("textbox", { name: "Tags of Nightly report" }).fill("nightly");
  await page.getByRole("button", { name: "Save tags" }).click();
  await expect(rows.filter({ hasText: "Nightly report" }).getByRole("list", { name: "Tags" })).toHaveText("nightly");

  const search = page.getByRole("searchbox", { name: "Search flows" });
  await search.fill("invoice");
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("Invoice sync");
  // A tag matches the search too.
  await search.fill("nightly");
  await expect(rows).toHaveCount(2);
  await search.fill("nothing like it");
  await expect(page.getByText("No flow matches “nothing like it”.")).toBeVisible();
  await search.fill("");

  await page.getByRole("combobox", { name: "Tag" }).selectOption("billing");
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("Invoice sync");
  await snapBothSchemes(page, testInfo, "flow list filtered by tag");
  await page.getByRole("combobox", { name: "Tag" }).selectOption({ label: "All tags" });
  await expect(rows).toHaveCount(3);

  // A tag that cannot be stored is refused on its field, and nothing is lost.
  await page.getByRole("button", { name: "Edit tags of Kitchen lights" }).click();
  await page.getByRole("textbox", { name: "Tags of Kitchen lights" }).fill(`home, ${"x".repeat(40)}`);
  await page.getByRole("button", { name: "Save tags" }).click();
  const kitchenTags = page.getByRole("textbox", { name: "Tags of Kitchen lights" });
  await expect(rows.filter({ hasText: "Kitchen lights" }).getByRole("alert")).toHaveText("Keep each tag under 32 characters");
  await expect(kitchenTags).toHaveAccessibleDescription("Keep each tag under 32 characters");
  await expect(kitchenTags).toHaveValue(`home, ${"x".repeat(40)}`);

  await page.setViewportSize({ width: 390, height: 844 });
  await kitchenTags.fill("home");
  await page.getByRole("button", { name: "Save tags" }).click();
  await expect(rows.filter({ hasText: "Kitchen lights" }).getByRole("list", { name: "Tags" })).toHaveText("home");
  await snapBothSchemes(page, testInfo, "flow list on a phone");
});
