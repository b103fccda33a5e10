import { describe, expect, it } from "vitest";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { verifyAuditChain } from "./audit-chain";
import { auditService } from "./audit-service";

describe.each(databaseKinds)("audit chain on %s", (kind) => {
  const database = useTestDatabase(kind);

  async function workspaceWithEvents(slug: string, count: number) {
    const { db } = database;
    const workspace = await db.workspace.create({ data: { slug, name: slug }, select: { id: true } });
    for (let i = 0; i < count; i++) {
      await db.$transaction((tx) =>
        auditService.record({ tx, entry: { workspaceId: workspace.id, actorId: "u1", action: `flow.update`, targetType: "flow", targetId: `f${i}`, data: { n: i, nested: { b: 1, a: [2, 3] } }, ip: "203.0.113.7", userAgent: "test" } }),
      );
    }
    return workspace.id;
  }

  const verify = async (workspaceId: string) =>
    verifyAuditChain(auditService.chainEvents({ db: database.db, workspaceId, pageSize: 3 }), await auditService.chainHead({ db: database.db, workspaceId }));

  it("chains every event to the one before it, with no gaps, when many are written at once", async () => {
    const { db } = database;
    const workspaceId = await workspaceWithEvents(`${kind}-concurrent`, 0);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => db.$transaction((tx) => auditService.record({ tx, entry: { workspaceId, actorId: null, actorKind: "system", action: "run.start", targetType: "run", targetId: `r${i}` } }))),
    );
    const seqs = (await db.auditEvent.findMany({ where: { workspaceId }, select: { seq: true }, orderBy: { seq: "asc" } })).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await verify(workspaceId)).toEqual({ ok: true, events: 12 });
  });

  it("names the first event changed in SQL", async () => {
    const { db } = database;
    const workspaceId = await workspaceWithEvents(`${kind}-edited`, 7);
    await db.$executeRaw`UPDATE "AuditEvent" SET "actorId" = 'someone-else' WHERE "workspaceId" = ${workspaceId} AND "seq" = 4`;
    const verdict = await verify(workspaceId);
    expect(verdict).toMatchObject({ ok: false, seq: 4, problem: "changed" });
    expect(verdict.ok || verdict.message).toBe("event 4 (flow.update) was changed after it was written");
  });

  it("notices an edit that also recomputes the event's own hash, at the event after it", async () => {
    const { db } = database;
    const workspaceId = await workspaceWithEvents(`${kind}-rehashed`, 5);
    const events = [];
    for await (const event of auditService.chainEvents({ db, workspaceId })) events.push(event);
    const { auditEventHash } = await import("./audit-chain");
    const forged = { ...events[1]!, action: "flow.read" };
    await db.auditEvent.update({ where: { id: forged.id! }, data: { action: forged.action, hash: auditEventHash(forged) } });
    expect(await verify(workspaceId)).toMatchObject({ ok: false, seq: 3, problem: "out of order" });
  });

  it("names events deleted from the middle and from the end", async () => {
    const { db } = database;
    const middle = await workspaceWithEvents(`${kind}-gap`, 6);
    await db.$executeRaw`DELETE FROM "AuditEvent" WHERE "workspaceId" = ${middle} AND "seq" IN (3, 4)`;
    expect(await verify(middle)).toMatchObject({ ok: false, seq: 5, problem: "removed", message: "events 3–4 are missing: the chain jumps from 2 to 5" });

    const tail = await workspaceWithEvents(`${kind}-tail`, 4);
    await db.$executeRaw`DELETE FROM "AuditEvent" WHERE "workspaceId" = ${tail} AND "seq" = 4`;
    expect(await verify(tail)).toMatchObject({ ok: false, seq: 4, problem: "removed" });
  });

  it("keeps the chain whole when retention deletes the oldest events", async () => {
    const { db } = database;
    const workspaceId = await workspaceWithEvents(`${kind}-pruned`, 5);
    await db.$executeRaw`UPDATE "AuditEvent" SET "createdAt" = "createdAt" - interval '400 days' WHERE "workspaceId" = ${workspaceId} AND "seq" <= 3`;
    // Moving events back in time is itself an edit the chain sees; retention then removes exactly those.
    expect(await verify(workspaceId)).toMatchObject({ ok: false, seq: 1, problem: "changed" });
    const deleted = await auditService.prune({ db, workspaceId, olderThan: new Date(Date.now() - 365 * 86_400_000) });
    expect(deleted).toBe(3);
    expect(await verify(workspaceId)).toEqual({ ok: true, events: 2 });
    // Deleting the new first event by hand is still found.
    await db.$executeRaw`DELETE FROM "AuditEvent" WHERE "workspaceId" = ${workspaceId} AND "seq" = 4`;
    expect(await verify(workspaceId)).toMatchObject({ ok: false, seq: 5, problem: "removed" });
  });
});
