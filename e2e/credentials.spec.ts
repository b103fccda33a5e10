import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { signIn, uniqueEmail } from "./support/editor";

test("a credential is created, never shows its secret again, is renamed and deleted", async ({ page }) => {
  const secret = `sk-e2e-${randomBytes(12).toString("hex")}`;
  // Every answer the browser gets, to prove the secret never comes back once it has been sent.
  const responses: Promise<string>[] = [];
  page.on("response", (response) => {
    responses.push(response.text().catch(() => ""));
  });

  await signIn(page, uniqueEmail("keeper"));

  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Credentials" }).click();
  await expect(page.getByRole("heading", { name: "Credentials" })).toBeVisible();
  await expect(page.getByText("No credentials yet.")).toBeVisible();

  await page.getByRole("button", { name: "New credential" }).click();
  const create = page.getByRole("dialog", { name: "New credential" });
  await create.getByLabel("Type").selectOption("http.header-auth");
  await create.getByLabel("Name", { exact: true }).fill("Partner API");
  await create.getByLabel("Header name").fill("X-API-Key");
  const secretInput = create.getByLabel("Value", { exact: true });
  await expect(secretInput).toHaveAttribute("type", "password");
  await secretInput.fill(secret);
  // A required field left empty is flagged on the field before anything is sent.
  await create.getByLabel("Header name").fill("");
  await create.getByRole("button", { name: "Create credential" }).click();
  await expect(create.getByText("Header name is required")).toBeVisible();
  await create.getByLabel("Header name").fill("X-API-Key");
  await create.getByRole("button", { name: "Create credential" }).click();
  await expect(create).toBeHidden();

  const row = page.getByRole("row", { name: /Partner API/ });
  await expect(row).toContainText("HTTP header");
  await expect(row).toContainText("name, value");
  await expect(page.getByRole("status")).toHaveText("Created Partner API.");

  await page.getByRole("button", { name: "Edit Partner API" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Partner API" });
  const savedValue = edit.getByLabel("Value", { exact: true });
  await expect(savedValue).toHaveValue("");
  await expect(savedValue).toHaveAttribute("placeholder", "saved — leave empty to keep");
  expect(await page.content()).not.toContain(secret);
  await edit.getByLabel("Name", { exact: true }).fill("Partner API v2");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByRole("row", { name: /Partner API v2/ })).toContainText("name, value");
  await expect(page.getByRole("status")).toHaveText("Saved Partner API v2.");

  // After a reload too, nothing on the page or in any answer carries the secret.
  await page.reload();
  await expect(page.getByRole("row", { name: /Partner API v2/ })).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  await page.getByRole("button", { name: "Delete Partner API v2" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete credential?" });
  await expect(confirm).toContainText("Partner API v2");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("row", { name: /Partner API v2/ })).toBeVisible();
  await page.getByRole("button", { name: "Delete Partner API v2" }).click();
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("row", { name: /Partner API v2/ })).toHaveCount(0);
  await expect(page.getByText("No credentials yet.")).toBeVisible();

  const bodies = await Promise.all(responses);
  expect(bodies.length).toBeGreaterThan(5);
  expect(bodies.filter((body) => body.includes(secret))).toEqual([]);
});
