import { expect, test } from "@playwright/test";
import { canvas, canvasEdges, canvasNode, canvasNodes, signIn, uniqueEmail } from "./support/editor";
import { snapThemes } from "./support/screens";

test("a flow is made from a template in the gallery and opens in the editor with its nodes", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("gallery"));
  await page.getByRole("link", { name: "New from template" }).click();
  await expect(page.getByRole("heading", { name: "New from template" })).toBeVisible();

  // Cards by category, each with what it is built of and the credentials it needs.
  await expect(page.getByRole("heading", { name: "Smart home" })).toBeVisible();
  const voice = page.getByRole("listitem", { name: "Voice command: switch the lights over MQTT" });
  await expect(voice).toContainText("3 nodes");
  await expect(voice.getByRole("list", { name: "Credentials it needs" })).toContainText("Home MQTT broker (MQTT broker)");
  await expect(voice.getByRole("list", { name: "Credentials it needs" })).toContainText("to create");
  await snapThemes(page, testInfo, "template gallery");

  // A category narrows the gallery.
  await page.getByRole("group", { name: "Category" }).getByRole("button", { name: "Media" }).click();
  await expect(page.getByRole("heading", { name: "Smart home" })).toHaveCount(0);
  await page.getByRole("group", { name: "Category" }).getByRole("button", { name: "All" }).click();

  // A template that needs no credential opens straight in the editor.
  await page.getByRole("button", { name: "Use template: A/B-tested landing page" }).click();
  await expect(page).toHaveURL(/\/flows\/[^/]+$/);
  for (const name of ["Landing page", "Headline test", "Classic page", "Bold page"]) await expect(canvasNode(page, name)).toBeVisible();
  // The four nodes and the template's sticky note, which explains how to call it.
  await expect(canvasNodes(page)).toHaveCount(5);
  await expect(canvas(page).getByText("each visitor keeps the headline first shown to them")).toBeVisible();
  await expect(canvasEdges(page)).toHaveCount(3);

  // One that needs credentials the workspace lacks says which to create first.
  await page.goBack();
  await page.getByRole("button", { name: "Use template: Voice command: switch the lights over MQTT" }).click();
  const notice = page.getByRole("status").filter({ hasText: "was created" });
  await expect(notice).toContainText("Home MQTT broker (MQTT broker)");
  await snapThemes(page, testInfo, "template created with missing credentials", { phone: false });
  await notice.getByRole("link", { name: "Open the flow" }).click();
  for (const name of ["Voice command", "Understood?", "Switch the lights"]) await expect(canvasNode(page, name)).toBeVisible();
  await expect(canvasNodes(page)).toHaveCount(4);
});
