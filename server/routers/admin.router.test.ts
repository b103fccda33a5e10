import { describe, expect, it } from "vitest";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { verifyAuditChain } from "../services/audit-chain";
import { auditService } from "../services/audit-service";
import { ssoService } from "../services/sso-service";
import { userService } from "../services/user-service";
import { useTestRuntime } from "../test-runtime";
import { longRunningFlow } from "./procedure-calls";
import { addMember, rejection, signInAs } from "./test-helpers";

describe("the instance's first user", () => {
  const database = useTestDatabase("postgres");

  it("is its administrator when two sign in at once, and only one of them is", async () => {
    const { db } = database;
    const emails = Array.from({ length: 6 }, (_, i) => `racer-${i}@example.test`);
    await Promise.all(emails.map((email) => userService.signIn({ db, identity: { provider: "dev", email } })));
    const admins = await db.user.findMany({ where: { instanceAdmin: true }, select: { email: true } });
    expect(admins).toHaveLength(1);
    expect(emails).toContain(admins[0]!.email);
    const later = await signInAs({ db, name: "Later" });
    expect(await db.user.findUniqueOrThrow({ where: { id: later.user.id }, select: { instanceAdmin: true } })).toEqual({ instanceAdmin: false });
  });
});

describe.each(databaseKinds)("instance administration on %s", (kind) => {
  const database = useTestDatabase(kind);
  useTestRuntime(database);
  // The first user signs in before every other in this database: the administrator.
  let adminPromise: ReturnType<typeof signInAs> | undefined;
  const administrator = () => (adminPromise ??= signInAs({ db: database.db, name: "Root" }));

  it("makes the first user an administrator, records it, and lists every user and workspace to them", async () => {
    const { db } = database;
    const admin = await administrator();
    const other = await signInAs({ db, name: "Plain" });
    const created = await db.auditEvent.findFirst({ where: { chain: "instance", action: "user.create", targetId: admin.user.id }, select: { data: true } });
    expect(created?.data).toEqual({ provider: "dev", email: admin.user.email, instanceAdmin: true });

    const users = await admin.caller.admin.users({ search: other.user.email.toUpperCase() });
    expect(users).toMatchObject({ total: 1, users: [{ id: other.user.id, instanceAdmin: false, disabled: false, workspaces: [{ id: other.workspace.id, role: "owner", personal: true }] }] });
    expect(users.users[0]!.lastSignInAt).toBeInstanceOf(Date);
    const workspaces = await admin.caller.admin.workspaces({ search: other.workspace.slug });
    expect(workspaces.workspaces).toEqual([expect.objectContaining({ id: other.workspace.id, members: 1, flows: 0 })]);
    const detail = await admin.caller.admin.workspace({ id: other.workspace.id });
    expect(detail.members).toEqual([expect.objectContaining({ id: other.user.id, role: "owner" })]);
    const paged = await admin.caller.admin.users({ page: 2, pageSize: 1 });
    expect(paged.users).toHaveLength(1);
    expect(paged.total).toBeGreaterThanOrEqual(2);
  });

  it("refuses a disabled user's sign-in and session until they are enabled again", async () => {
    const { db } = database;
    const admin = await administrator();
    const target = await signInAs({ db, name: "Dana" });
    expect(await userService.sessionUser({ db, userId: target.user.id })).toMatchObject({ id: target.user.id, instanceAdmin: false });

    await admin.caller.admin.setDisabled({ userId: target.user.id, disabled: true });
    expect(await userService.sessionUser({ db, userId: target.user.id })).toBeNull();
    const refused = userService.signIn({ db, identity: { provider: "dev", email: target.user.email } });
    await expect(refused).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("This account is disabled") });
    expect(await userService.mayTrySignIn({ db, provider: "oidc", providerAccountId: "sub-unknown", email: target.user.email })).toBe(false);
    expect(await userService.mayTrySignIn({ db, provider: "oidc", providerAccountId: "sub-unknown", email: "newcomer@example.test" })).toBe(true);

    await admin.caller.admin.setDisabled({ userId: target.user.id, disabled: false });
    await expect(userService.signIn({ db, identity: { provider: "dev", email: target.user.email } })).resolves.toMatchObject({ id: target.user.id });
    const actions = await db.auditEvent.findMany({ where: { chain: "instance", targetId: target.user.id, action: { in: ["user.disable", "user.enable"] } }, orderBy: { seq: "asc" }, select: { action: true, actorId: true } });
    expect(actions).toEqual([
      { action: "user.disable", actorId: admin.user.id },
      { action: "user.enable", actorId: admin.user.id },
    ]);
  });

  it("keeps at least one enabled administrator, and lets an administrator promote another", async () => {
    const { db } = database;
    const admin = await administrator();
    const second = await signInAs({ db, name: "Second" });
    expect((await rejection(admin.caller.admin.setDisabled({ userId: admin.user.id, disabled: true }))).message).toContain("cannot disable your own account");
    expect((await rejection(admin.caller.admin.setAdmin({ userId: admin.user.id, admin: false }))).message).toContain("at least one enabled administrator");
    expect((await rejection(second.caller.admin.users({}))).code).toBe("FORBIDDEN");

    await admin.caller.admin.setAdmin({ userId: second.user.id, admin: true });
    await expect(second.caller.admin.users({})).resolves.toMatchObject({ total: expect.any(Number) });
    // Revoked, the promoted administrator loses the gate at their next call.
    await admin.caller.admin.setAdmin({ userId: second.user.id, admin: false });
    expect((await rejection(second.caller.admin.users({}))).code).toBe("FORBIDDEN");
    expect((await rejection(admin.caller.admin.deleteUser({ userId: admin.user.id, confirmEmail: admin.user.email }))).message).toContain("cannot delete your own account");
  });

  it("makes the emails INSTANCE_ADMINS names administrators when they sign in, whether they are new or not", async () => {
    const { db } = database;
    await administrator();
    const named = `named-${Date.now()}@example.test`;
    const plain = await userService.signIn({ db, identity: { provider: "dev", email: named } });
    expect(await db.user.findUniqueOrThrow({ where: { id: plain.id }, select: { instanceAdmin: true } })).toEqual({ instanceAdmin: false });
    await userService.signIn({ db, identity: { provider: "dev", email: named.toUpperCase() }, instanceAdmins: [named] });
    expect(await db.user.findUniqueOrThrow({ where: { id: plain.id }, select: { instanceAdmin: true } })).toEqual({ instanceAdmin: true });
    const grant = await db.auditEvent.findFirst({ where: { chain: "instance", action: "user.adminGrant", targetId: plain.id }, select: { actorKind: true, data: true } });
    expect(grant).toEqual({ actorKind: "system", data: { email: named, reason: "INSTANCE_ADMINS" } });

    const newcomer = await userService.signIn({ db, identity: { provider: "dev", email: `new-${named}` }, instanceAdmins: [`new-${named}`] });
    expect(await db.user.findUniqueOrThrow({ where: { id: newcomer.id }, select: { instanceAdmin: true } })).toEqual({ instanceAdmin: true });
  });

  it("lets administrators alone list, verify, revoke and reject workspaces' SSO domain claims", async () => {
    const { db } = database;
    const admin = await administrator();
    const claimant = await signInAs({ db, name: "Claimant" });
    const domain = `claimed-${kind}.test`;
    const connection = await ssoService.saveSaml({
      db,
      actor: claimant.user,
      workspaceId: claimant.workspace.id,
      settings: { domains: [domain], defaultRole: "viewer", jitProvisioning: true, requireSso: true, enabled: true },
      metadata: { url: null, xml: "<EntityDescriptor/>", idpEntityId: "https://idp.claimed.test", idpSsoUrl: "https://idp.claimed.test/sso", certificates: ["MIIBfake"] },
    });
    const claim = { domain, connectionId: connection.id };
    for (const refused of [claimant.caller.admin.domainClaims({}), claimant.caller.admin.domainVerify(claim), claimant.caller.admin.domainRevoke(claim), claimant.caller.admin.domainReject(claim)]) {
      expect((await rejection(refused)).code).toBe("FORBIDDEN");
    }
    expect(await db.ssoDomain.findUniqueOrThrow({ where: { domain }, select: { verifiedAt: true } })).toEqual({ verifiedAt: null });

    const listed = await admin.caller.admin.domainClaims({ search: domain });
    expect(listed).toMatchObject({ total: 1, claims: [{ domain, protocol: "saml", requireSso: true, verifiedAt: null, workspace: { id: claimant.workspace.id } }] });
    await expect(admin.caller.admin.domainVerify(claim)).resolves.toEqual({ domain, verified: true });
    expect(await ssoService.requiredConnection({ db, email: `someone@${domain}`, via: null })).toMatchObject({ id: connection.id });
    await expect(admin.caller.admin.domainRevoke(claim)).resolves.toEqual({ domain, verified: false });
    await expect(admin.caller.admin.domainReject(claim)).resolves.toEqual({ domain, verified: false });
    expect(await db.ssoDomain.count({ where: { domain } })).toBe(0);
    const events = await db.auditEvent.findMany({ where: { chain: "instance", targetId: connection.id }, orderBy: { seq: "asc" }, select: { action: true, actorId: true } });
    expect(events).toEqual(["sso.domainVerify", "sso.domainRevoke", "sso.domainReject"].map((action) => ({ action, actorId: admin.user.id })));
  });

  it("deletes a user once each workspace they alone own is handed over or deleted, cancelling its runs and stopping its triggers", async () => {
    const { db } = database;
    const admin = await administrator();
    const leaver = await signInAs({ db, name: "Leaver" });
    const heir = await signInAs({ db, name: "Heir" });
    const colleague = await signInAs({ db, name: "Colleague" });
    const kept = await leaver.caller.workspace.create({ name: "Kept team" });
    await addMember({ db, by: leaver.user, workspaceId: kept.id, user: heir.user, role: "editor" });
    const shared = await colleague.caller.workspace.create({ name: "Shared ownership" });
    await addMember({ db, by: colleague.user, workspaceId: shared.id, user: leaver.user, role: "owner" });
    const document = longRunningFlow(`leaver-${kind}`);
    const flow = await leaver.caller.flow.create({ workspaceId: leaver.workspace.id, name: "Goes", document });
    await leaver.caller.flow.saveVersion({ workspaceId: leaver.workspace.id, flowId: flow.id, document, message: "v1" });
    await leaver.caller.flow.activate({ workspaceId: leaver.workspace.id, flowId: flow.id });
    const { runId } = await leaver.caller.run.start({ workspaceId: leaver.workspace.id, flowId: flow.id });

    const plan = await admin.caller.admin.deletionPlan({ userId: leaver.user.id });
    expect(plan.workspaces.map((w) => [w.name, w.members.map((m) => m.id)])).toEqual([
      ["Leaver's workspace", []],
      ["Kept team", [heir.user.id]],
    ]);

    // Nothing changes while a decision is missing, wrong or unconfirmed.
    const refusals = [
      () => admin.caller.admin.deleteUser({ userId: leaver.user.id, confirmEmail: leaver.user.email, decisions: [{ workspaceId: kept.id, handOverTo: heir.user.id }] }),
      () => admin.caller.admin.deleteUser({ userId: leaver.user.id, confirmEmail: leaver.user.email, decisions: [{ workspaceId: kept.id, handOverTo: colleague.user.id }, { workspaceId: leaver.workspace.id, deleteConfirmName: "Leaver's workspace" }] }),
      () => admin.caller.admin.deleteUser({ userId: leaver.user.id, confirmEmail: leaver.user.email, decisions: [{ workspaceId: kept.id, handOverTo: heir.user.id }, { workspaceId: leaver.workspace.id, deleteConfirmName: "leaver's workspace" }] }),
      () => admin.caller.admin.deleteUser({ userId: leaver.user.id, confirmEmail: "someone@else.test", decisions: [{ workspaceId: kept.id, handOverTo: heir.user.id }, { workspaceId: leaver.workspace.id, deleteConfirmName: "Leaver's workspace" }] }),
    ];
    const messages = [];
    for (const refusal of refusals) messages.push((await rejection(refusal())).message);
    expect(messages).toEqual([
      expect.stringContaining("is the only owner of Leaver's workspace"),
      "Hand Kept team over to one of its members; nothing was deleted.",
      "Type the workspace's name, Leaver's workspace, exactly to delete it; nothing was deleted.",
      `Type the user's email, ${leaver.user.email}, exactly to confirm; nothing was deleted.`,
    ]);
    expect(await db.user.count({ where: { id: leaver.user.id } })).toBe(1);
    expect(await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } })).toEqual({ status: expect.stringMatching(/queued|running/) });

    await admin.caller.admin.deleteUser({
      userId: leaver.user.id,
      confirmEmail: leaver.user.email.toUpperCase(),
      decisions: [{ workspaceId: kept.id, handOverTo: heir.user.id }, { workspaceId: leaver.workspace.id, deleteConfirmName: "Leaver's workspace" }],
    });

    expect(await db.user.count({ where: { id: leaver.user.id } })).toBe(0);
    expect(await db.account.count({ where: { userId: leaver.user.id } })).toBe(0);
    expect(await db.membership.count({ where: { userId: leaver.user.id } })).toBe(0);
    expect(await userService.sessionUser({ db, userId: leaver.user.id })).toBeNull();
    // The hand-over kept an owner, and the workspace is an ordinary shared one now.
    expect(await heir.caller.workspace.members({ workspaceId: kept.id })).toEqual([expect.objectContaining({ id: heir.user.id, role: "owner" })]);
    expect(await db.workspace.findUniqueOrThrow({ where: { id: kept.id }, select: { personal: true } })).toEqual({ personal: false });
    // Co-owned: its other owner stays.
    expect(await colleague.caller.workspace.members({ workspaceId: shared.id })).toEqual([expect.objectContaining({ id: colleague.user.id, role: "owner" })]);
    // The deleted workspace went with its flows, runs and webhooks.
    expect(await db.workspace.count({ where: { id: leaver.workspace.id } })).toBe(0);
    expect(await db.run.count({ where: { id: runId } })).toBe(0);
    expect(await db.webhookRoute.count({ where: { workspaceId: leaver.workspace.id } })).toBe(0);

    const events = await db.auditEvent.findMany({
      where: { OR: [{ chain: "instance", targetId: { in: [leaver.user.id, leaver.workspace.id] } }, { chain: kept.id, action: "ownership.transfer" }] },
      orderBy: [{ createdAt: "asc" }, { seq: "asc" }],
      select: { chain: true, action: true, actorId: true, targetId: true },
    });
    expect(events.filter((e) => e.actorId === admin.user.id)).toEqual([
      { chain: "instance", action: "workspace.delete", actorId: admin.user.id, targetId: leaver.workspace.id },
      { chain: kept.id, action: "ownership.transfer", actorId: admin.user.id, targetId: heir.user.id },
      { chain: "instance", action: "user.delete", actorId: admin.user.id, targetId: leaver.user.id },
    ]);
    // The deleted user's own events still name them.
    const theirs = await admin.caller.admin.audit({ action: "auth.signIn", limit: 200 });
    expect(theirs.events.filter((e) => e.actorId === leaver.user.id).map((e) => e.actor)).toEqual([`${leaver.user.email} (deleted)`]);
    const verdict = await verifyAuditChain(auditService.chainEvents({ db, workspaceId: null }), await auditService.chainHead({ db, workspaceId: null }));
    expect(verdict).toMatchObject({ ok: true });
  });

  it("shows the instance chain with the workspace audit log's filters and export", async () => {
    const { db } = database;
    const admin = await administrator();
    await userService.recordFailedSignIn({ db, provider: "dev", email: "intruder@nowhere.test", reason: "testing" });
    const failed = await admin.caller.admin.audit({ action: "auth.signInFailed", actor: "intruder@nowhere" });
    expect(failed.events.map((e) => [e.action, (e.data as { email: string }).email])).toEqual([["auth.signInFailed", "intruder@nowhere.test"]]);
    const signIns = await admin.caller.admin.audit({ actor: admin.user.email, action: "auth.signIn", limit: 1 });
    expect(signIns.events).toEqual([expect.objectContaining({ action: "auth.signIn", actor: admin.user.email })]);
    const { csv } = await admin.caller.admin.auditCsv({ action: "auth.signInFailed" });
    expect(csv.split("\r\n")[0]).toBe("seq,time,actor kind,actor id,actor,action,target type,target id,ip,user agent,data");
    expect(csv).toContain("intruder@nowhere.test");
    // Only the instance's chain: no workspace's own events.
    const all = await admin.caller.admin.audit({ limit: 200 });
    expect(all.events.some((e) => e.action === "workspace.create")).toBe(false);
  });
});
