import { describe, expect, it } from "vitest";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { userService } from "./user-service";
import { workspaceService } from "./workspace-service";

describe.each(databaseKinds)("user sign-in on %s", (kind) => {
  const database = useTestDatabase(kind);

  it("creates one user and one personal workspace, however often they sign in", async () => {
    const { db } = database;
    const identity = { provider: "oidc", providerAccountId: "sub-1", email: "Ada@Example.test", name: "Ada Lovelace" };
    const first = await userService.signIn({ db, identity });
    const again = await userService.signIn({ db, identity });
    expect(again).toEqual(first);
    expect(first).toMatchObject({ email: "ada@example.test", name: "Ada Lovelace" });
    const workspaces = await workspaceService.listForUser({ db, userId: first.id });
    expect(workspaces).toEqual([expect.objectContaining({ name: "Ada Lovelace's workspace", personal: true, role: "owner" })]);
  });

  it("audits each sign-in and each refused one in the instance's own chain", async () => {
    const { db } = database;
    const user = await userService.signIn({ db, identity: { provider: "dev", email: "audited@example.test" } });
    await userService.signIn({ db, identity: { provider: "dev", email: "audited@example.test" } });
    await userService.recordFailedSignIn({ db, provider: "oidc", email: "mallory@elsewhere.test", reason: "the email's domain is not in OIDC_ALLOWED_DOMAINS" });
    const events = await db.auditEvent.findMany({ where: { chain: "instance", OR: [{ actorId: user.id }, { action: "auth.signInFailed" }] }, orderBy: { seq: "asc" }, select: { action: true, workspaceId: true, data: true } });
    expect(events).toEqual([
      { action: "user.create", workspaceId: null, data: { provider: "dev", email: "audited@example.test" } },
      { action: "auth.signIn", workspaceId: null, data: { provider: "dev" } },
      { action: "auth.signIn", workspaceId: null, data: { provider: "dev" } },
      { action: "auth.signInFailed", workspaceId: null, data: { provider: "oidc", email: "mallory@elsewhere.test", reason: "the email's domain is not in OIDC_ALLOWED_DOMAINS" } },
    ]);
  });

  it("links a new provider account to the user with the same email", async () => {
    const { db } = database;
    const dev = await userService.signIn({ db, identity: { provider: "dev", email: "grace@example.test" } });
    expect(dev.name).toBe("Grace");
    const sso = await userService.signIn({ db, identity: { provider: "oidc", providerAccountId: "sub-grace", email: "grace@example.test", name: "G" } });
    expect(sso.id).toBe(dev.id);
    expect(await db.account.count({ where: { userId: dev.id } })).toBe(1);
    expect(await workspaceService.listForUser({ db, userId: dev.id })).toHaveLength(1);
  });

  it("refuses something that is not an email and creates nothing", async () => {
    const { db } = database;
    const before = await db.user.count();
    await expect(userService.signIn({ db, identity: { provider: "dev", email: "not an email" } })).rejects.toThrow(
      '"not an email" is not an email address',
    );
    expect(await db.user.count()).toBe(before);
  });
});
