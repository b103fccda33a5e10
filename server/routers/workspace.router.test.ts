import pino from "pino";
import type { ZodError } from "zod";
import { describe, expect, it } from "vitest";
import { pruneSeries } from "../../runner/maintenance";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { runnerStorage } from "../runner-storage";
import { seriesService } from "../services/series-service";
import { longRunningFlow } from "./procedure-calls";
import { useTestRuntime } from "../test-runtime";
import { addMember, anonymousCaller, rejection, signInAs } from "./test-helpers";

describe.each(databaseKinds)("workspace and user routers on %s", (kind) => {
  const database = useTestDatabase(kind);
  useTestRuntime(database);

  it("gives each new user a personal workspace they own", async () => {
    const { db } = database;
    const { caller, user } = await signInAs({ db, name: "Ada" });
    expect(await caller.user.me()).toEqual(user);
    const workspaces = await caller.workspace.list();
    expect(workspaces).toEqual([expect.objectContaining({ name: "Ada's workspace", personal: true, role: "owner" })]);
    expect(await caller.workspace.bySlug({ slug: workspaces[0]!.slug })).toEqual(workspaces[0]);
  });

  it("creates shared workspaces with unique slugs", async () => {
    const { db } = database;
    const { caller } = await signInAs({ db, name: "Maker" });
    const first = await caller.workspace.create({ name: "Data Team" });
    const second = await caller.workspace.create({ name: "Data Team" });
    expect(first.slug).toBe("data-team");
    expect(second.slug).toBe("data-team-2");
    expect((await caller.workspace.list()).map((w) => w.name)).toEqual(["Maker's workspace", "Data Team", "Data Team"]);
    const renamed = await caller.workspace.rename({ workspaceId: first.id, name: "Analytics" });
    expect(renamed).toMatchObject({ name: "Analytics", slug: "data-team" });
  });

  it("hides workspaces you do not belong to", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Hidden" });
    const stranger = await signInAs({ db, name: "Peeker" });
    for (const call of [
      () => stranger.caller.workspace.bySlug({ slug: owner.workspace.slug }),
      () => stranger.caller.workspace.members({ workspaceId: owner.workspace.id }),
      () => stranger.caller.workspace.rename({ workspaceId: owner.workspace.id, name: "Taken" }),
      () => stranger.caller.workspace.setRole({ workspaceId: owner.workspace.id, memberId: stranger.user.id, role: "owner" }),
      () => stranger.caller.workspace.transferOwnership({ workspaceId: owner.workspace.id, memberId: stranger.user.id }),
    ]) {
      expect((await rejection(call())).code).toBe("NOT_FOUND");
    }
    expect(await owner.caller.workspace.members({ workspaceId: owner.workspace.id })).toEqual([
      expect.objectContaining({ id: owner.user.id, role: "owner" }),
    ]);
    expect((await owner.caller.workspace.list())[0]!.name).toBe("Hidden's workspace");
  });

  it("enforces roles when managing members", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Olga" });
    const admin = await signInAs({ db, name: "Adam" });
    const viewer = await signInAs({ db, name: "Vera" });
    const ws = owner.workspace.id;
    await addMember({ db, by: owner.user, workspaceId: ws, user: admin.user, role: "admin" });
    await addMember({ db, by: admin.user, workspaceId: ws, user: viewer.user, role: "editor" });
    await admin.caller.workspace.setRole({ workspaceId: ws, memberId: viewer.user.id, role: "viewer" });

    expect((await rejection(viewer.caller.workspace.setRole({ workspaceId: ws, memberId: viewer.user.id, role: "editor" }))).code).toBe("FORBIDDEN");
    expect((await rejection(viewer.caller.workspace.rename({ workspaceId: ws, name: "Mine" }))).code).toBe("FORBIDDEN");
    expect((await rejection(admin.caller.workspace.setRole({ workspaceId: ws, memberId: admin.user.id, role: "owner" }))).code).toBe("FORBIDDEN");
    expect((await rejection(admin.caller.workspace.transferOwnership({ workspaceId: ws, memberId: admin.user.id }))).code).toBe("FORBIDDEN");
    const lastOwner = await rejection(owner.caller.workspace.setRole({ workspaceId: ws, memberId: owner.user.id, role: "editor" }));
    expect(lastOwner.code).toBe("CONFLICT");
    expect(lastOwner.message).toContain("at least one owner");
    const unknown = await rejection(owner.caller.workspace.setRole({ workspaceId: ws, memberId: "cnotamember000000000000000", role: "editor" }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toBe("That person is not a member of this workspace.");

    expect((await rejection(viewer.caller.workspace.removeMember({ workspaceId: ws, memberId: admin.user.id }))).code).toBe("FORBIDDEN");
    expect((await rejection(admin.caller.workspace.removeMember({ workspaceId: ws, memberId: owner.user.id }))).code).toBe("FORBIDDEN");
    expect((await rejection(owner.caller.workspace.removeMember({ workspaceId: ws, memberId: owner.user.id }))).message).toContain("at least one owner");

    const members = await viewer.caller.workspace.members({ workspaceId: ws });
    expect(members.map((m) => [m.name, m.role])).toEqual([["Olga", "owner"], ["Adam", "admin"], ["Vera", "viewer"]]);
    const audit = await db.auditEvent.findMany({ where: { workspaceId: ws, action: { in: ["invitation.accept", "membership.role"] } }, select: { action: true }, orderBy: { seq: "asc" } });
    expect(audit.map((e) => e.action)).toEqual(["invitation.accept", "invitation.accept", "membership.role"]);

    // Admins remove members, and anyone may leave; a removed member loses access at once.
    await admin.caller.workspace.removeMember({ workspaceId: ws, memberId: viewer.user.id });
    expect((await rejection(viewer.caller.workspace.members({ workspaceId: ws }))).code).toBe("NOT_FOUND");
    await admin.caller.workspace.removeMember({ workspaceId: ws, memberId: admin.user.id });
    expect((await owner.caller.workspace.members({ workspaceId: ws })).map((m) => m.name)).toEqual(["Olga"]);
  });

  it("hands ownership over: the member becomes the owner and the owner an admin, so there is always one", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Otto" });
    const heir = await signInAs({ db, name: "Hera" });
    const ws = owner.workspace.id;
    await addMember({ db, by: owner.user, workspaceId: ws, user: heir.user, role: "editor" });
    expect((await rejection(owner.caller.workspace.transferOwnership({ workspaceId: ws, memberId: owner.user.id }))).code).toBe("BAD_REQUEST");
    await owner.caller.workspace.transferOwnership({ workspaceId: ws, memberId: heir.user.id });
    expect((await heir.caller.workspace.members({ workspaceId: ws })).map((m) => [m.name, m.role])).toEqual([["Otto", "admin"], ["Hera", "owner"]]);
    expect((await rejection(owner.caller.workspace.transferOwnership({ workspaceId: ws, memberId: heir.user.id }))).code).toBe("FORBIDDEN");
    expect((await rejection(heir.caller.workspace.removeMember({ workspaceId: ws, memberId: heir.user.id }))).message).toContain("at least one owner");
  });

  it("deletes a shared workspace with everything in it once its owner types its name, stopping its runs first", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Dora" });
    const admin = await signInAs({ db, name: "Abel" });
    const team = await owner.caller.workspace.create({ name: "Short-lived" });
    await addMember({ db, by: owner.user, workspaceId: team.id, user: admin.user, role: "admin" });
    const document = longRunningFlow("short-lived");
    const flow = await owner.caller.flow.create({ workspaceId: team.id, name: "Doomed", document });
    await owner.caller.flow.saveVersion({ workspaceId: team.id, flowId: flow.id, document, message: "v1" });
    await owner.caller.flow.activate({ workspaceId: team.id, flowId: flow.id });
    const { runId } = await owner.caller.run.start({ workspaceId: team.id, flowId: flow.id });

    expect((await rejection(admin.caller.workspace.delete({ workspaceId: team.id, confirmName: "Short-lived" }))).code).toBe("FORBIDDEN");
    const mistyped = await rejection(owner.caller.workspace.delete({ workspaceId: team.id, confirmName: "short-lived" }));
    expect(mistyped.message).toBe("Type the workspace's name, Short-lived, exactly to confirm; nothing was deleted.");
    expect((await rejection(owner.caller.workspace.delete({ workspaceId: owner.workspace.id, confirmName: "Dora's workspace" }))).message).toContain("personal workspace cannot be deleted");
    expect(await db.flow.count({ where: { workspaceId: team.id } })).toBe(1);

    await owner.caller.workspace.delete({ workspaceId: team.id, confirmName: "Short-lived" });
    expect((await owner.caller.workspace.list()).map((w) => w.id)).not.toContain(team.id);
    expect((await rejection(admin.caller.workspace.members({ workspaceId: team.id }))).code).toBe("NOT_FOUND");
    expect(await db.flow.count({ where: { workspaceId: team.id } })).toBe(0);
    expect(await db.run.count({ where: { id: runId } })).toBe(0);
    expect(await db.webhookRoute.count({ where: { workspaceId: team.id } })).toBe(0);
    const [record] = await db.auditEvent.findMany({ where: { chain: "instance", action: "workspace.delete", targetId: team.id }, select: { actorId: true, data: true } });
    expect(record).toEqual({ actorId: owner.user.id, data: { name: "Short-lived", slug: team.slug } });
  });

  it("keeps series points for the days an admin sets, within bounds, audited, and pruning goes by it", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Keeper" });
    const admin = await signInAs({ db, name: "Archie" });
    const editor = await signInAs({ db, name: "Edna" });
    const ws = owner.workspace.id;
    await addMember({ db, by: owner.user, workspaceId: ws, user: admin.user, role: "admin" });
    await addMember({ db, by: owner.user, workspaceId: ws, user: editor.user, role: "editor" });
    expect(await editor.caller.workspace.seriesRetention({ workspaceId: ws })).toBe(30);

    const refused = await rejection(editor.caller.workspace.setSeriesRetention({ workspaceId: ws, days: 7 }));
    expect(refused.code).toBe("FORBIDDEN");
    for (const [days, message] of [
      [0, "Keep points for at least 1 day"],
      [3651, "Keep points for at most 3650 days (10 years)"],
      [2.5, "Keep points for a whole number of days"],
    ] as const) {
      const outOfBounds = await rejection(admin.caller.workspace.setSeriesRetention({ workspaceId: ws, days }));
      expect(outOfBounds.code).toBe("BAD_REQUEST");
      expect((outOfBounds.cause as ZodError).issues[0]!.message).toBe(message);
    }
    expect(await owner.caller.workspace.seriesRetention({ workspaceId: ws })).toBe(30);

    expect(await admin.caller.workspace.setSeriesRetention({ workspaceId: ws, days: 2 })).toBe(2);
    expect(await editor.caller.workspace.seriesRetention({ workspaceId: ws })).toBe(2);
    const [event] = await db.auditEvent.findMany({ where: { workspaceId: ws, action: "series.retention" }, select: { actorId: true, data: true } });
    expect(event).toEqual({ actorId: admin.user.id, data: { from: 30, to: 2 } });

    // Three days old: kept under the default 30 days, gone under the 2 just set; a day-old point stays.
    const day = 86_400_000;
    const point = (age: number, value: number) => ({ workspaceId: ws, series: "kept", at: new Date(Date.now() - age), value, flowId: null, runId: null });
    await seriesService.append({ db, points: [point(3 * day, 1), point(day, 2)] });
    await pruneSeries({ series: runnerStorage({ db }).series, logger: pino({ level: "silent" }) });
    const left = await db.seriesPoint.findMany({ where: { workspaceId: ws }, select: { value: true } });
    expect(left.map((p) => p.value)).toEqual([2]);
  });

  it("refuses signed-out callers", async () => {
    const { db } = database;
    const anonymous = anonymousCaller(db);
    expect((await rejection(anonymous.workspace.list())).code).toBe("UNAUTHORIZED");
    expect((await rejection(anonymous.user.me())).code).toBe("UNAUTHORIZED");
  });
});
