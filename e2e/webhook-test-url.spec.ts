import { expect, test } from "@playwright/test";
import { canvasNode, nodePanel, openNewFlow, signIn, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";

test.use({ viewport: DESKTOP });

/** A webhook that answers with what a Set node makes of the body. */
const document = {
  nodes: [
    { id: "hook", type: "core.webhook", name: "Orders", position: { x: 80, y: 200 }, config: { path: "orders/new", respond: "lastNode" } },
    {
      id: "greet",
      type: "core.set",
      name: "Greet",
      position: { x: 400, y: 200 },
      config: { fields: [{ name: "greeting", value: "{{ 'Hello ' & body.name }}" }], keepOnlySet: true },
    },
  ],
  edges: [{ id: "e1", source: "hook", target: "greet" }],
};

/** Sends a request from the page, as a person would from another tab or a terminal. */
const send = (page: import("@playwright/test").Page, url: string, body: unknown) =>
  page.evaluate(
    async ({ url, body }) => {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as unknown };
    },
    { url, body },
  );

test("the webhook panel shows its URLs, listens for a test event, and the test call's run shows in the editor", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("listener"));
  await openNewFlow(page, { name: "Order desk", document });
  await canvasNode(page, "Orders").click();
  const panel = nodePanel(page, "Orders");
  const urls = panel.getByRole("region", { name: "Webhook URLs" });
  const origin = new URL(page.url()).origin;
  const slug = new URL(page.url()).pathname.split("/")[2]!;
  await expect(urls.getByLabel("Test URL", { exact: true })).toHaveText(`${origin}/hooks-test/${slug}/orders/new`);
  await expect(urls.getByLabel("Production URL", { exact: true })).toHaveText(`${origin}/hooks/${slug}/orders/new`);
  await expect(urls.getByRole("button", { name: "Copy test url" })).toBeVisible();
  await expect(urls.getByRole("button", { name: "Copy production url" })).toBeVisible();

  // Nobody listens yet: the test URL says how to.
  const testUrl = (await urls.getByLabel("Test URL", { exact: true }).textContent())!;
  const early = await send(page, testUrl, { name: "Ada" });
  expect(early.status).toBe(404);
  expect(JSON.stringify(early.body)).toContain("Listen for test event");

  await urls.getByRole("button", { name: "Listen for test event" }).click();
  await expect(urls.getByRole("status").filter({ hasText: /Listening for a POST to the test URL… \d:\d\d left/ })).toBeVisible();
  await snapThemes(page, testInfo, "webhook panel listening", { phone: false });

  // The flow was never activated: the call runs the draft and answers as the flow says.
  const answer = await send(page, testUrl, { name: "Ada" });
  expect(answer).toEqual({ status: 200, body: { greeting: "Hello Ada" } });

  await expect(urls.getByRole("status").filter({ hasText: "Received a test call" })).toBeVisible();
  await expect(canvasNode(page, "Greet")).toHaveAccessibleName(/, succeeded/);
  await expect(page.getByRole("status").filter({ hasText: /^Run succeeded/ })).toBeVisible();
  await snapThemes(page, testInfo, "webhook panel after the call", { phone: false });

  // It is in the flow's runs, marked as a test.
  await page.getByRole("button", { name: "Runs", exact: true }).click();
  const run = page.getByRole("complementary", { name: "Runs" }).getByRole("button", { name: /^Open run of .*, succeeded$/ });
  await expect(run).toHaveCount(1);
  await expect(run).toContainText("test webhook");

  // One call per listen.
  expect((await send(page, testUrl, { name: "Again" })).status).toBe(404);
});
