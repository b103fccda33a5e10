import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { signIn, snap, uniqueEmail } from "./support/editor";

const PHONE = { width: 390, height: 844 };

test("an owner invites a person by link, who signs in through it and lands as an editor; the audit log shows it and exports CSV", async ({ page, browser }, testInfo) => {
  const ownerEmail = uniqueEmail("team-owner");
  const guestEmail = uniqueEmail("team-guest");
  await signIn(page, ownerEmail);

  // A shared workspace, made from the switcher.
  await page.getByRole("button", { name: /^Workspace: / }).click();
  await page.getByLabel("Workspace name").fill("Night shift");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page).toHaveURL(/\/w\/night-shift[\w-]*$/);
  const slug = new URL(page.url()).pathname.split("/")[2]!;

  await page.goto(`/w/${slug}/settings/members`);
  await page.getByLabel("Email", { exact: true }).fill(guestEmail);
  await page.getByLabel("Role", { exact: true }).selectOption("editor");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const linkField = page.getByLabel(`Invitation link for ${guestEmail}`);
  await expect(linkField).toHaveValue(/\/invite\/[\w-]{43}$/);
  const link = await linkField.inputValue();
  // Links are built from the address the owner is using.
  expect(new URL(link).origin).toBe(new URL(page.url()).origin);
  const pending = page.getByRole("region", { name: "Pending invitations" });
  await expect(pending.getByRole("listitem")).toHaveCount(1);
  await expect(pending).toContainText(guestEmail);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await snap(page, testInfo, `members-and-invitation-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: "light" });

  // The guest has never signed in: the link says what it is for, then sends them to sign in and back.
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto(link);
  await expect(guest.getByRole("heading", { name: "Join Night shift" })).toBeVisible();
  await expect(guest.getByRole("main")).toContainText(`invited ${guestEmail} to the workspace Night shift as an editor`);
  await snap(guest, testInfo, "invitation-signed-out");
  await guest.getByRole("link", { name: `Sign in as ${guestEmail} to accept` }).click();
  const submit = guest.getByRole("button", { name: "Sign in for development" });
  await expect(submit).toBeEnabled();
  await guest.getByRole("textbox", { name: "Email" }).fill(guestEmail);
  await submit.click();
  await expect(guest.getByRole("heading", { name: "Join Night shift" })).toBeVisible();
  await guest.getByRole("button", { name: "Accept and join" }).click();
  await expect(guest).toHaveURL(new RegExp(`/w/${slug}$`));
  await guest.goto(`/w/${slug}/settings/members`);
  await expect(guest.getByRole("row", { name: new RegExp(guestEmail) })).toContainText("editor");

  // The link worked once.
  await guest.goto(link);
  await expect(guest.getByRole("main").getByRole("alert")).toHaveText("This invitation was already used. If that was you, the workspace is in your list.");
  await guestContext.close();

  await page.reload();
  await expect(page.getByRole("region", { name: "Pending invitations" })).toHaveCount(0);
  await expect(page.getByRole("row", { name: new RegExp(guestEmail) })).toBeVisible();

  // The audit log names both sides of the invitation; a filter narrows it and the CSV holds what it shows.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const rows = page.getByRole("table").getByRole("row");
  await expect(rows.filter({ hasText: "invitation.accept" })).toContainText(guestEmail);
  await expect(rows.filter({ hasText: "invitation.create" })).toContainText(ownerEmail);
  // Each event says where the request came from.
  await expect(rows.filter({ hasText: "invitation.create" })).toContainText("127.0.0.1");
  await page.getByLabel("Action").fill("invitation");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=invitation/);
  await expect(rows).toHaveCount(3);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const csv = await readFile((await (await download).path())!, "utf8");
  expect(csv.split("\r\n").filter(Boolean)).toHaveLength(3);
  expect(csv).toContain(`,invitation.accept,`);
  await expect(page.getByRole("status")).toHaveText("Exported 2 events.");
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await snap(page, testInfo, `audit-log-${colorScheme}`);
  }
  await page.setViewportSize(PHONE);
  await snap(page, testInfo, "audit-log-phone");
});

test("an invitation link for another address does not let the signed-in person in", async ({ page, browser }) => {
  await signIn(page, uniqueEmail("inviter"));
  const [workspace] = await page.evaluate(async () => (await (await fetch("/api/trpc/workspace.list")).json()).result.data.json as { id: string; slug: string }[]);
  await page.goto(`/w/${workspace!.slug}/settings/members`);
  const invited = uniqueEmail("invited");
  await page.getByLabel("Email", { exact: true }).fill(invited);
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const link = await page.getByLabel(`Invitation link for ${invited}`).inputValue();

  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await signIn(other, uniqueEmail("someone-else"));
  await other.goto(link);
  await expect(other.getByText(`This invitation is for ${invited}: sign in with that address to accept it.`)).toBeVisible();
  await expect(other.getByRole("button", { name: "Accept and join" })).toHaveCount(0);
  await otherContext.close();
});

test("an owner deletes a shared workspace by typing its name; a personal one offers no such thing", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("deleter"));
  const personal = new URL(page.url()).pathname;
  await page.goto(`${personal}/settings`);
  await expect(page.getByRole("heading", { name: "General", exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: "Delete this workspace" })).toHaveCount(0);

  await page.getByRole("button", { name: /^Workspace: / }).click();
  await page.getByLabel("Workspace name").fill("Scratch pad");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page).toHaveURL(/\/w\/scratch-pad[\w-]*$/);
  const slug = new URL(page.url()).pathname.split("/")[2]!;
  await page.goto(`/w/${slug}/settings`);
  const danger = page.getByRole("region", { name: "Delete this workspace" });
  const confirm = danger.getByRole("textbox", { name: "Workspace name" });
  const remove = danger.getByRole("button", { name: "Delete workspace" });
  await confirm.fill("scratch pad");
  await expect(remove).toBeDisabled();
  await confirm.fill("Scratch pad");
  await expect(remove).toBeEnabled();
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await danger.screenshot({ path: testInfo.outputPath(`delete-workspace-${colorScheme}.png`) });
  }
  await remove.click();
  await expect(page).toHaveURL(new RegExp(`${personal}$`));
  await page.getByRole("button", { name: /^Workspace: / }).click();
  await expect(page.getByRole("link", { name: /Scratch pad/ })).toHaveCount(0);
  expect((await page.goto(`/w/${slug}`))?.status()).toBe(404);
});
