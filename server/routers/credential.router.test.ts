import { describe, expect, it } from "vitest";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { addMember, rejection, signInAs } from "./test-helpers";

describe.each(databaseKinds)("credential router on %s", (kind) => {
  const database = useTestDatabase(kind);

  it("stores secrets encrypted and never returns them", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Keeper" });
    const created = await caller.credential.create({
      workspaceId: workspace.id,
      name: "OpenAI prod",
      type: "http.header-auth",
      data: { name: "Authorization", value: "sk-very-secret" },
    });
    expect(created).toMatchObject({ name: "OpenAI prod", type: "http.header-auth", fields: ["name", "value"] });
    expect(JSON.stringify(created)).not.toContain("sk-very-secret");
    expect(JSON.stringify(await caller.credential.list({ workspaceId: workspace.id }))).not.toContain("sk-very-secret");

    const stored = await db.credential.findUniqueOrThrow({ where: { id: created.id }, select: { ciphertext: true } });
    expect(stored.ciphertext).not.toContain("sk-very-secret");

    const updated = await caller.credential.update({ workspaceId: workspace.id, credentialId: created.id, data: { name: "X-Api-Key" } });
    expect(updated.fields).toEqual(["name", "value"]);
    const opened = await db.credential.findUniqueOrThrow({ where: { id: created.id }, select: { ciphertext: true } });
    expect(opened.ciphertext).not.toBe(stored.ciphertext);

    const duplicate = await rejection(caller.credential.create({ workspaceId: workspace.id, name: "OpenAI prod", type: "webhook.secret", data: { secret: "a-long-enough-secret" } }));
    expect(duplicate.code).toBe("CONFLICT");
    expect(duplicate.message).toContain('A credential named "OpenAI prod" already exists');

    await caller.credential.delete({ workspaceId: workspace.id, credentialId: created.id });
    expect(await caller.credential.list({ workspaceId: workspace.id })).toEqual([]);
    const actions = await db.auditEvent.findMany({ where: { workspaceId: workspace.id, targetType: "credential" }, select: { action: true }, orderBy: { createdAt: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["credential.create", "credential.update", "credential.delete"]);
  });

  it("returns the non-secret fields' values for editing, and never a secret one, from list, create and update", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Mailer" });
    const data = { host: "smtp.example.test", port: 2525, security: "starttls", username: "alerts", password: "pa55-very-secret", from: "Alerts <alerts@example.test>" };
    const created = await caller.credential.create({ workspaceId: workspace.id, name: "Mail", type: "smtp.server", data });
    const { password: _secret, ...visible } = data;
    expect(created.values).toEqual(visible);
    expect(created.fields).toEqual(["from", "host", "password", "port", "security", "username"]);

    const [listed] = await caller.credential.list({ workspaceId: workspace.id });
    expect(listed!.values).toEqual(visible);
    const updated = await caller.credential.update({ workspaceId: workspace.id, credentialId: created.id, data: { host: "mail.example.test", password: "an0ther-secret" } });
    expect(updated.values).toEqual({ ...visible, host: "mail.example.test" });
    for (const answer of [created, updated, await caller.credential.list({ workspaceId: workspace.id })]) {
      const text = JSON.stringify(answer);
      expect(text).not.toContain("pa55-very-secret");
      expect(text).not.toContain("an0ther-secret");
    }

    // A type whose every field is secret shows no values; one with a secret header value shows only the header name.
    const hook = await caller.credential.create({ workspaceId: workspace.id, name: "Hook", type: "slack.incoming-webhook", data: { url: "https://hooks.slack.test/T000/B000/sEcReT" } });
    expect(hook.values).toEqual({});
    expect(JSON.stringify(await caller.credential.list({ workspaceId: workspace.id }))).not.toContain("sEcReT");
    const header = await caller.credential.create({ workspaceId: workspace.id, name: "Api", type: "http.header-auth", data: { name: "X-Key", value: "hidden-value" } });
    expect(header.values).toEqual({ name: "X-Key" });
  });

  it("refuses unknown types and fields that do not fit the type, naming them, and keeps what was stored", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Typist" });
    const unknown = await rejection(caller.credential.create({ workspaceId: workspace.id, name: "X", type: "nope.thing", data: {} }));
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(unknown.message).toContain('"nope.thing" is not a credential type; pick one of: ');
    expect(unknown.message).toContain("http.header-auth");
    const short = await rejection(caller.credential.create({ workspaceId: workspace.id, name: "Hook", type: "webhook.secret", data: { secret: "short" } }));
    expect(short.code).toBe("BAD_REQUEST");
    expect(short.message).toContain("secret: use at least 16 characters");

    const saved = await caller.credential.create({ workspaceId: workspace.id, name: "Api", type: "http.header-auth", data: { name: "X-Key", value: "v1" } });
    const badUpdate = await rejection(caller.credential.update({ workspaceId: workspace.id, credentialId: saved.id, data: { name: "bad header" } }));
    expect(badUpdate.message).toContain("name: a header name has letters, digits and - only");
    expect((await caller.credential.list({ workspaceId: workspace.id })).map((c) => c.name)).toEqual(["Api"]);
  });

  it("refuses fields the type does not have, naming them and the fields it has, on create and update", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Speller" });
    const misspelt = await rejection(
      caller.credential.create({ workspaceId: workspace.id, name: "Typo", type: "http.header-auth", data: { name: "X-Key", value: "v1", vaule: "v1", constructor: "x" } }),
    );
    expect({ code: misspelt.code, message: misspelt.message }).toEqual({
      code: "BAD_REQUEST",
      message: 'The HTTP header credential has no fields "vaule", "constructor"; its fields are name, value. Remove or rename them.',
    });
    expect(await caller.credential.list({ workspaceId: workspace.id })).toEqual([]);

    const saved = await caller.credential.create({ workspaceId: workspace.id, name: "Api", type: "http.header-auth", data: { name: "X-Key", value: "v1" } });
    const before = await db.credential.findUniqueOrThrow({ where: { id: saved.id }, select: { ciphertext: true, updatedAt: true } });
    const extra = await rejection(caller.credential.update({ workspaceId: workspace.id, credentialId: saved.id, data: { value: "v2", token: "t" } }));
    expect({ code: extra.code, message: extra.message }).toEqual({
      code: "BAD_REQUEST",
      message: 'The HTTP header credential has no field "token"; its fields are name, value. Remove or rename it.',
    });
    expect(await db.credential.findUniqueOrThrow({ where: { id: saved.id }, select: { ciphertext: true, updatedAt: true } })).toEqual(before);
  });

  it("says a type without a connection test has none, and never returns the secret from a test", async () => {
    const { db } = database;
    const { caller, workspace } = await signInAs({ db, name: "Tester" });
    const saved = await caller.credential.create({ workspaceId: workspace.id, name: "Api", type: "http.header-auth", data: { name: "X-Key", value: "hidden-value" } });
    const result = await caller.credential.test({ workspaceId: workspace.id, credentialId: saved.id });
    expect(result).toEqual({ ok: false, message: "A HTTP header credential has no connection test; use it in a node and run that." });
    const unsaved = await rejection(caller.credential.test({ workspaceId: workspace.id, type: "nope.thing", data: {} }));
    expect(unsaved.code).toBe("BAD_REQUEST");
  });

  it("keeps another workspace's credentials out of reach and viewers read-only", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Holder" });
    const stranger = await signInAs({ db, name: "Thief" });
    const viewer = await signInAs({ db, name: "Looker" });
    await addMember({ db: db, by: owner.user, workspaceId: owner.workspace.id, user: viewer.user, role: "viewer" });
    const cred = await owner.caller.credential.create({ workspaceId: owner.workspace.id, name: "Broker", type: "webhook.secret", data: { secret: "0123456789abcdef" } });

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
