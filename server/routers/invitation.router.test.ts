import { afterEach, describe, expect, it } from "vitest";
import { closeSmtpServers, smtp } from "../../nodes/alert/alert-test-server";
import { createContextInner } from "../context";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { smtpMailer } from "../mailer";
import type { InvitationSettings } from "../services/invitation-service";
import { createCallerFactory } from "../trpc";
import { appRouter } from "./_app";
import { anonymousCaller, rejection, secretBox, signInAs } from "./test-helpers";

const createCaller = createCallerFactory(appRouter);
const linkBase = "http://127.0.0.1:3000";

function tokenOf(link: string): string {
  return new URL(link).pathname.split("/").at(-1)!;
}

describe.each(databaseKinds)("invitations on %s", (kind) => {
  const database = useTestDatabase(kind);
  afterEach(closeSmtpServers);

  async function team(settings: InvitationSettings = { ttlDays: 7, publicUrl: undefined, mailer: null }) {
    const { db } = database;
    const owner = await signInAs({ db, name: "Owner" });
    const admin = createCaller(createContextInner({ db, user: owner.user, secretBox, invitations: () => settings }));
    const workspace = await admin.workspace.create({ name: "Invited" });
    return { owner, admin, workspace };
  }

  it("invites by link: the person signs in with the address, opens it once, and joins with the role", async () => {
    const { db } = database;
    const { admin, workspace } = await team();
    const guest = await signInAs({ db, name: "Guest" });
    const invite = await admin.invitation.create({ workspaceId: workspace.id, email: guest.user.email.toUpperCase(), role: "editor", linkBase });
    expect(invite).toMatchObject({ email: guest.user.email, role: "editor", mailed: false });
    expect(invite.link).toMatch(new RegExp(`^${linkBase}/invite/[\\w-]{43}$`));
    expect(invite.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6.9 * 86_400_000);

    // The link shows what it is for before anyone signs in.
    const view = await anonymousCaller(db).invitation.view({ token: tokenOf(invite.link) });
    expect(view).toMatchObject({ state: "pending", workspaceName: "Invited", role: "editor", email: guest.user.email });
    expect(await admin.invitation.list({ workspaceId: workspace.id })).toEqual([expect.objectContaining({ id: invite.id, email: guest.user.email })]);

    expect(await guest.caller.invitation.accept({ token: tokenOf(invite.link) })).toEqual({ slug: workspace.slug, role: "editor" });
    expect((await guest.caller.workspace.list()).map((w) => [w.slug, w.role])).toContainEqual([workspace.slug, "editor"]);
    expect(await admin.invitation.list({ workspaceId: workspace.id })).toEqual([]);
    // Single use.
    expect((await rejection(guest.caller.invitation.accept({ token: tokenOf(invite.link) }))).message).toBe("This invitation link was already used; ask for a new one.");
    expect(await anonymousCaller(db).invitation.view({ token: tokenOf(invite.link) })).toEqual({ state: "used" });
    const actions = (await admin.audit.list({ workspaceId: workspace.id })).events.map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(["invitation.accept", "invitation.create"]);
  });

  it("answers an invite the same whether or not the address has an account", async () => {
    const { db } = database;
    const { admin, workspace } = await team();
    const existing = await signInAs({ db, name: "Existing" });
    const known = await admin.invitation.create({ workspaceId: workspace.id, email: existing.user.email, role: "viewer", linkBase });
    const unknown = await admin.invitation.create({ workspaceId: workspace.id, email: "nobody-yet@example.test", role: "viewer", linkBase });
    const shape = (invite: typeof known) => Object.keys(invite).sort();
    expect(shape(known)).toEqual(shape(unknown));
    expect({ ...known, id: "", email: "", link: "", expiresAt: null }).toEqual({ ...unknown, id: "", email: "", link: "", expiresAt: null });
  });

  it("refuses a link for another address, an expired, a revoked or a replaced one", async () => {
    const { db } = database;
    const { admin, workspace } = await team();
    const guest = await signInAs({ db, name: "Guest" });
    const other = await signInAs({ db, name: "Other" });
    const invite = await admin.invitation.create({ workspaceId: workspace.id, email: guest.user.email, role: "editor", linkBase });
    const wrongPerson = await rejection(other.caller.invitation.accept({ token: tokenOf(invite.link) }));
    expect(wrongPerson.code).toBe("FORBIDDEN");
    expect(wrongPerson.message).toBe(`This invitation is for ${guest.user.email}; sign out and sign in with that address to accept it.`);

    const resent = await admin.invitation.resend({ workspaceId: workspace.id, invitationId: invite.id, linkBase });
    expect(resent.link).not.toBe(invite.link);
    expect((await rejection(guest.caller.invitation.accept({ token: tokenOf(invite.link) }))).code).toBe("NOT_FOUND");

    await db.invitation.update({ where: { id: invite.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await anonymousCaller(db).invitation.view({ token: tokenOf(resent.link) })).toEqual({ state: "expired" });
    expect((await rejection(guest.caller.invitation.accept({ token: tokenOf(resent.link) }))).message).toBe("This invitation expired; ask for a new one.");

    const again = await admin.invitation.create({ workspaceId: workspace.id, email: guest.user.email, role: "viewer", linkBase });
    await admin.invitation.revoke({ workspaceId: workspace.id, invitationId: again.id });
    expect(await anonymousCaller(db).invitation.view({ token: tokenOf(again.link) })).toEqual({ state: "revoked" });
    expect((await rejection(guest.caller.invitation.accept({ token: tokenOf(again.link) }))).code).toBe("NOT_FOUND");
    expect(await anonymousCaller(db).invitation.view({ token: "x".repeat(43) })).toEqual({ state: "unknown" });
    expect((await guest.caller.workspace.list()).some((w) => w.id === workspace.id)).toBe(false);
  });

  it("lets only admins invite, only owners invite owners, and keeps other workspaces' invitations out of reach", async () => {
    const { db } = database;
    const { admin, workspace } = await team();
    const editor = await signInAs({ db, name: "Editor" });
    const adminUser = await signInAs({ db, name: "Admin" });
    for (const [person, role] of [[editor, "editor"], [adminUser, "admin"]] as const) {
      const invite = await admin.invitation.create({ workspaceId: workspace.id, email: person.user.email, role, linkBase });
      await person.caller.invitation.accept({ token: tokenOf(invite.link) });
    }
    expect((await rejection(editor.caller.invitation.create({ workspaceId: workspace.id, email: "x@example.test", role: "viewer", linkBase }))).code).toBe("FORBIDDEN");
    expect((await rejection(editor.caller.invitation.list({ workspaceId: workspace.id }))).code).toBe("FORBIDDEN");
    const ownerInvite = await rejection(adminUser.caller.invitation.create({ workspaceId: workspace.id, email: "boss@example.test", role: "owner", linkBase }));
    expect(ownerInvite.message).toBe("Only an owner can invite an owner.");
    expect((await rejection(admin.invitation.create({ workspaceId: workspace.id, email: editor.user.email, role: "viewer", linkBase }))).code).toBe("CONFLICT");

    const stranger = await signInAs({ db, name: "Stranger" });
    const pending = await admin.invitation.create({ workspaceId: workspace.id, email: "later@example.test", role: "viewer", linkBase });
    for (const call of [
      () => stranger.caller.invitation.list({ workspaceId: workspace.id }),
      () => stranger.caller.invitation.revoke({ workspaceId: workspace.id, invitationId: pending.id }),
      () => stranger.caller.invitation.resend({ workspaceId: workspace.id, invitationId: pending.id, linkBase }),
      () => stranger.caller.invitation.revoke({ workspaceId: stranger.workspace.id, invitationId: pending.id }),
    ]) {
      expect((await rejection(call())).code).toBe("NOT_FOUND");
    }
    expect(await admin.invitation.list({ workspaceId: workspace.id })).toEqual([expect.objectContaining({ id: pending.id })]);
  });

  it("mails the link through SMTP when configured, from the public URL, and still answers with it when the mail fails", async () => {
    const server = await smtp();
    const { db } = database;
    const mailer = smtpMailer({ url: `smtp://alerts:s3cret@127.0.0.1:${server.port}`, from: "Streamware <no-reply@example.test>" });
    const { admin, workspace } = await team({ ttlDays: 2, publicUrl: "https://flows.example.test", mailer });
    const invite = await admin.invitation.create({ workspaceId: workspace.id, email: "new@example.test", role: "viewer", linkBase });
    expect(invite).toMatchObject({ mailed: true, mailError: null });
    expect(invite.link).toMatch(/^https:\/\/flows\.example\.test\/invite\//);
    expect(invite.expiresAt.getTime()).toBeLessThan(Date.now() + 2.1 * 86_400_000);
    expect(server.mails).toHaveLength(1);
    expect(server.mails[0]!.to).toEqual(["new@example.test"]);
    expect(server.mails[0]!.raw.replace(/=\r\n/g, "")).toContain(invite.link);

    const broken = await team({ ttlDays: 7, publicUrl: undefined, mailer: smtpMailer({ url: "smtp://127.0.0.1:1", from: "x@example.test" }) });
    const unsent = await broken.admin.invitation.create({ workspaceId: broken.workspace.id, email: "new@example.test", role: "viewer", linkBase });
    expect(unsent.mailed).toBe(false);
    expect(unsent.mailError).toMatch(/^The mail could not be sent \(.+\); copy the link instead\.$/);
    expect(unsent.link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/invite\//);
    expect(db).toBeDefined();
  });
});
