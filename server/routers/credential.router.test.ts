import { describe, expect, it } from "vitest";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { workspaceService } from "../services/workspace-service";
import { rejection, signInAs } from "./test-helpers";

describe.each(databaseKinds)("credential router on %s", (kind) => {
  const database = useTestDatabase(kind);

  it("stores secrets encrypted and never returns them", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Keeper" });
    const created = await caller.credential.create({
      workspaceId: workspace.id,
      name: "OpenAI prod",
      type: "openai",
      data: { apiKey: "sk-very-secret", organization: "org-1" },
    });
    expect(created).toMatchObject({ name: "OpenAI prod", type: "openai", fields: ["apiKey", "organization"] });
    expect(JSON.stringify(created)).not.toContain("sk-very-secret");
    expect(JSON.stringify(await caller.credential.list({ workspaceId: workspace.id }))).not.toContain("sk-very-secret");

    const stored = await db.credential.findUniqueOrThrow({ where: { id: created.id }, select: { ciphertext: true } });
    expect(stored.ciphertext).not.toContain("sk-very-secret");

    const updated = await caller.credential.update({ workspaceId: workspace.id, credentialId: created.id, data: { baseUrl: "http://127.0.0.1:9" } });
    expect(updated.fields).toEqual(["apiKey", "baseUrl", "organization"]);

    const duplicate = await rejection(caller.credential.create({ workspaceId: workspace.id, name: "OpenAI prod", type: "openai", data: {} }));
    expect(duplicate.code).toBe("CONFLICT");
    expect(duplicate.message).toContain('A credential named "OpenAI prod" already exists');

    await caller.credential.delete({ workspaceId: workspace.id, credentialId: created.id });
    expect(await caller.credential.list({ workspaceId: workspace.id })).toEqual([]);
    const actions = await db.auditEvent.findMany({ where: { workspaceId: workspace.id, targetType: "credential" }, select: { action: true }, orderBy: { createdAt: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["credential.create", "credential.update", "credential.delete"]);
  });

  it("keeps another workspace's credentials out of reach and viewers read-only", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Holder" });
    const stranger = await signInAs({ db, name: "Thief" });
    const viewer = await signInAs({ db, name: "Looker" });
    await workspaceService.setMember({ db, userId: owner.user.id, workspaceId: owner.workspace.id, email: viewer.user.email, role: "viewer" });
    const cred = await owner.caller.credential.create({ workspaceId: owner.workspace.id, name: "Broker", type: "mqtt", data: { password: "p" } });

    for (const workspaceId of [owner.workspace.id, stranger.workspace.id]) {
      for (const call of [
        () => stranger.caller.credential.update({ workspaceId, credentialId: cred.id, name: "Mine" }),
        () => stranger.caller.credential.delete({ workspaceId, credentialId: cred.id }),
      ]) {
        expect((await rejection(call())).code).toBe("NOT_FOUND");
      }
    }
    expect((await rejection(stranger.caller.credential.list({ workspaceId: owner.workspace.id }))).code).toBe("NOT_FOUND");
    expect(await stranger.caller.credential.list({ workspaceId: stranger.workspace.id })).toEqual([]);

    expect((await viewer.caller.credential.list({ workspaceId: owner.workspace.id })).map((c) => c.name)).toEqual(["Broker"]);
    expect((await rejection(viewer.caller.credential.delete({ workspaceId: owner.workspace.id, credentialId: cred.id }))).code).toBe("FORBIDDEN");
    expect((await owner.caller.credential.list({ workspaceId: owner.workspace.id })).map((c) => c.name)).toEqual(["Broker"]);
  });
});
