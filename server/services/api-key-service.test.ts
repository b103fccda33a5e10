import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../db/test-databases";
import { rejection, signInAs } from "../routers/test-helpers";
import { apiKeyService } from "./api-key-service";
import { scopesGrant } from "./workspace-roles";

describe("API keys", () => {
  const database = useTestDatabase("postgres");

  it("shows a key's secret once and keeps only its SHA-256 and a short prefix", async () => {
    const owner = await signInAs({ db: database.db, name: "Keeper" });
    const workspaceId = owner.workspace.id;
    const { key, secret } = await owner.caller.apiKey.create({ workspaceId, name: "Deploy bot", scopes: ["write", "read"] });
    expect(secret).toMatch(/^swk_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ name: "Deploy bot", prefix: secret.slice(0, 12), scopes: ["read", "write"], createdBy: owner.user.email, expiresAt: null, lastUsedAt: null, revokedAt: null });

    const row = await database.db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.secretHash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(secret.slice(12));
    const listed = await owner.caller.apiKey.list({ workspaceId });
    expect(listed).toEqual([key]);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(12));

    const event = await database.db.auditEvent.findFirstOrThrow({ where: { workspaceId, action: "apiKey.create" } });
    expect(event).toMatchObject({ actorId: owner.user.id, actorKind: "user", targetId: key.id, data: { name: "Deploy bot", prefix: key.prefix, scopes: ["read", "write"], expiresAt: null } });
    expect(JSON.stringify(event)).not.toContain(secret.slice(12));
  });

  it("two keys never share a secret", async () => {
    const owner = await signInAs({ db: database.db, name: "Twins" });
    const made = await Promise.all([1, 2, 3].map((n) => owner.caller.apiKey.create({ workspaceId: owner.workspace.id, name: `Key ${n}`, scopes: ["read"] })));
    expect(new Set(made.map((m) => m.secret)).size).toBe(3);
  });

  it("refuses an expiry in the past and an empty scope list", async () => {
    const owner = await signInAs({ db: database.db, name: "Strict" });
    const past = await rejection(owner.caller.apiKey.create({ workspaceId: owner.workspace.id, name: "Old", scopes: ["read"], expiresAt: new Date(Date.now() - 1000) }));
    expect(past.code).toBe("BAD_REQUEST");
    expect(past.message).toContain("expiry date in the future");
    const none = await rejection(owner.caller.apiKey.create({ workspaceId: owner.workspace.id, name: "Nothing", scopes: [] }));
    expect(none.message).toContain("at least one scope");
  });

  it("finds a key by its secret with its creator's role, tells revocations, and revokes once", async () => {
    const owner = await signInAs({ db: database.db, name: "Revoker" });
    const workspaceId = owner.workspace.id;
    const { key, secret } = await owner.caller.apiKey.create({ workspaceId, name: "Short", scopes: ["run"] });
    expect(await apiKeyService.verify({ db: database.db, secret })).toMatchObject({ id: key.id, workspaceId, scopes: ["run"], revokedAt: null, creator: { id: owner.user.id, role: "owner" } });
    expect(await apiKeyService.verify({ db: database.db, secret: `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}` })).toBeNull();

    const told: string[] = [];
    const stop = apiKeyService.onRevoked((id) => told.push(id));
    const first = await owner.caller.apiKey.revoke({ workspaceId, apiKeyId: key.id });
    const again = await owner.caller.apiKey.revoke({ workspaceId, apiKeyId: key.id });
    stop();
    expect(again.revokedAt).toEqual(first.revokedAt);
    expect(told).toEqual([key.id]);
    expect(await database.db.auditEvent.count({ where: { workspaceId, action: "apiKey.revoke" } })).toBe(1);
    expect((await apiKeyService.verify({ db: database.db, secret }))?.revokedAt).toEqual(first.revokedAt);
  });

  it("writes the last-used time at most once a minute", async () => {
    const owner = await signInAs({ db: database.db, name: "Toucher" });
    const { key } = await owner.caller.apiKey.create({ workspaceId: owner.workspace.id, name: "Busy", scopes: ["read"] });
    const at = new Date("2030-01-01T00:00:00Z");
    const lastUsed = async () => (await database.db.apiKey.findUniqueOrThrow({ where: { id: key.id }, select: { lastUsedAt: true } })).lastUsedAt;
    await apiKeyService.touch({ db: database.db, apiKeyId: key.id, at });
    await apiKeyService.touch({ db: database.db, apiKeyId: key.id, at: new Date(at.getTime() + 30_000) });
    expect(await lastUsed()).toEqual(at);
    await apiKeyService.touch({ db: database.db, apiKeyId: key.id, at: new Date(at.getTime() + 61_000) });
    expect(await lastUsed()).toEqual(new Date(at.getTime() + 61_000));
  });

  it("maps scopes onto the permission table", () => {
    expect(scopesGrant({ scopes: ["read"], permission: "workspace.read" })).toBe(true);
    expect(scopesGrant({ scopes: ["read"], permission: "run.control" })).toBe(false);
    expect(scopesGrant({ scopes: ["run"], permission: "flow.activate" })).toBe(true);
    expect(scopesGrant({ scopes: ["run"], permission: "flow.edit" })).toBe(false);
    expect(scopesGrant({ scopes: ["write"], permission: "credential.edit" })).toBe(true);
    expect(scopesGrant({ scopes: ["write"], permission: "run.control" })).toBe(false);
    expect(scopesGrant({ scopes: ["admin"], permission: "audit.read" })).toBe(true);
    expect(scopesGrant({ scopes: ["admin"], permission: "workspace.delete" })).toBe(false);
  });
});
