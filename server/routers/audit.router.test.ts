import { describe, expect, it } from "vitest";
import type { ZodError } from "zod";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { auditService } from "../services/audit-service";
import { rejection, signInAs } from "./test-helpers";

describe.each(databaseKinds)("audit router on %s", (kind) => {
  const database = useTestDatabase(kind);

  async function teamWithHistory() {
    const { db } = database;
    const owner = await signInAs({ db, name: "Owner" });
    const team = await owner.caller.workspace.create({ name: "Audited" });
    const viewer = await signInAs({ db, name: "Viewer" });
    const editor = await signInAs({ db, name: "Editor" });
    await owner.caller.workspace.setMember({ workspaceId: team.id, email: viewer.user.email, role: "viewer" });
    await owner.caller.workspace.setMember({ workspaceId: team.id, email: editor.user.email, role: "editor" });
    const flow = await editor.caller.flow.create({ workspaceId: team.id, name: 'Report, "quarterly"' });
    return { owner, viewer, editor, team, flow };
  }

  it("lists a workspace's events newest first, a page at a time, with the actor in words", async () => {
    const { owner, editor, team } = await teamWithHistory();
    const first = await owner.caller.audit.list({ workspaceId: team.id, limit: 2 });
    expect(first.events.map((e) => e.action)).toEqual(["flow.create", "membership.set"]);
    expect(first.events[0]).toMatchObject({ actor: editor.user.email, actorKind: "user", targetType: "flow" });
    const second = await owner.caller.audit.list({ workspaceId: team.id, limit: 2, cursor: first.nextCursor! });
    expect(second.events.map((e) => e.action)).toEqual(["membership.set", "workspace.create"]);
    expect(second.nextCursor).toBeNull();
  });

  it("filters by actor, action prefix, target and time", async () => {
    const { owner, editor, team } = await teamWithHistory();
    const byEditor = await owner.caller.audit.list({ workspaceId: team.id, actor: editor.user.email.slice(0, 8) });
    expect(byEditor.events.map((e) => e.action)).toEqual(["flow.create"]);
    expect((await owner.caller.audit.list({ workspaceId: team.id, action: "membership" })).events).toHaveLength(2);
    expect((await owner.caller.audit.list({ workspaceId: team.id, targetType: "flow" })).events).toHaveLength(1);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await owner.caller.audit.list({ workspaceId: team.id, from: future })).events).toEqual([]);
    const invalid = await rejection(owner.caller.audit.list({ workspaceId: team.id, from: "yesterday" }));
    expect(invalid.code).toBe("BAD_REQUEST");
  });

  it("exports CSV a spreadsheet reads safely: quoted fields, formulas defused", async () => {
    const { owner, team } = await teamWithHistory();
    await database.db.$transaction((tx) =>
      auditService.record({ tx, entry: { workspaceId: team.id, actorId: null, actorKind: "system", action: "run.start", targetType: "run", userAgent: "=HYPERLINK(\"http://x\")" } }),
    );
    const { csv, events } = await owner.caller.audit.exportCsv({ workspaceId: team.id });
    expect(events).toBe(5);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("seq,time,actor kind,actor id,actor,action,target type,target id,ip,user agent,data");
    expect(lines[1]).toContain(",workspace.create,");
    // The flow's name holds a comma and quotes: one quoted field.
    expect(csv).toContain('"{""name"":""Report, \\""quarterly\\""""}"');
    // A field that a spreadsheet would run as a formula starts with a quote mark instead.
    expect(lines.at(-1)).toContain(`,"'=HYPERLINK(""http://x"")",`);
  });

  it("is for admins and owners; another workspace's log looks like no workspace at all", async () => {
    const { owner, viewer, editor, team } = await teamWithHistory();
    for (const member of [viewer, editor]) {
      expect((await rejection(member.caller.audit.list({ workspaceId: team.id }))).code).toBe("FORBIDDEN");
      expect((await rejection(member.caller.audit.exportCsv({ workspaceId: team.id }))).code).toBe("FORBIDDEN");
    }
    const stranger = await signInAs({ db: database.db, name: "Stranger" });
    expect((await rejection(stranger.caller.audit.list({ workspaceId: team.id }))).code).toBe("NOT_FOUND");
    expect((await rejection(stranger.caller.audit.setRetention({ workspaceId: team.id, days: 1 }))).code).toBe("NOT_FOUND");
    // The owner's own workspace log holds none of the team's events.
    const own = await owner.caller.audit.list({ workspaceId: owner.workspace.id });
    expect(own.events.every((e) => e.action !== "flow.create")).toBe(true);
  });

  it("keeps events for the retention an admin sets, within 1 to 3650 days, and audits the change", async () => {
    const { owner, team } = await teamWithHistory();
    expect(await owner.caller.audit.retention({ workspaceId: team.id })).toBe(365);
    await owner.caller.audit.setRetention({ workspaceId: team.id, days: 30 });
    expect(await owner.caller.audit.retention({ workspaceId: team.id })).toBe(30);
    const [latest] = (await owner.caller.audit.list({ workspaceId: team.id, limit: 1 })).events;
    expect(latest).toMatchObject({ action: "audit.retention", data: { from: 365, to: 30 } });
    for (const days of [0, 3651, 1.5]) {
      const refused = await rejection(owner.caller.audit.setRetention({ workspaceId: team.id, days }));
      expect(refused.code).toBe("BAD_REQUEST");
      expect((refused.cause as ZodError).issues[0]!.message).toMatch(/^Keep events for/);
    }
  });
});
