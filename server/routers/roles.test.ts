import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../db/test-databases";
import { can, roles, type Permission, type Role } from "../services/workspace-roles";
import { useTestRuntime } from "../test-runtime";
import type { ProcedureMeta } from "../trpc";
import { appRouter } from "./_app";
import { instanceProcedureCalls, instanceProcedures, procedureCalls, victimWorkspace } from "./procedure-calls";
import { addMember, rejection, signInAs } from "./test-helpers";

/** The permission each workspace procedure's gate asks for, as the procedure declares it. */
function declaredPermissions(): Map<string, Permission> {
  const declared = new Map<string, Permission>();
  for (const [path, procedure] of Object.entries(appRouter._def.procedures)) {
    const meta = (procedure as unknown as { _def: { meta?: ProcedureMeta } })._def.meta;
    if (meta?.permission) declared.set(path, meta.permission);
  }
  return declared;
}

/**
 * Where the call these tests make asks for more than its procedure's gate: `removeMember` lets anyone through who may
 * leave, and needs `member.manage` to remove someone else (the call removes the owner).
 */
const beyondTheGate: Partial<Record<string, Permission>> = { "workspace.removeMember": "member.manage" };

/** The permission table's refusal (the gate's, or a service's own check), told apart from a refusal of the particular change (an admin removing an owner). */
const GATE_REFUSAL = /^This needs the \w+ role or higher in this workspace/;

describe("every procedure × every role", () => {
  const database = useTestDatabase("postgres");
  useTestRuntime(database);

  it("declares a permission for every workspace procedure", () => {
    expect([...declaredPermissions().keys()].sort()).toEqual(Object.keys(procedureCalls).sort());
  });

  it.each([...roles])("lets a member who is %s call exactly what the permission table allows", async (role: Role) => {
    const { owner, target } = await victimWorkspace({ db: database.db });
    const member = await signInAs({ db: database.db, name: "Member" });
    await addMember({ db: database.db, by: owner.user, workspaceId: target.workspaceId, user: member.user, role });
    const outcomes: { path: string; permission: Permission; gated: boolean }[] = [];
    for (const [path, declared] of declaredPermissions()) {
      const permission = beyondTheGate[path] ?? declared;
      const outcome = await procedureCalls[path]!(member.caller, target).then(
        () => ({ gated: false }),
        (error: { code?: string; message?: string }) => ({ gated: error.code === "FORBIDDEN" && GATE_REFUSAL.test(error.message ?? "") }),
      );
      outcomes.push({ path, permission, gated: outcome.gated });
    }
    // Refused by the gate exactly where the table says the role may not.
    expect(outcomes.filter((o) => o.gated).map((o) => o.path)).toEqual(outcomes.filter((o) => !can({ role, permission: o.permission })).map((o) => o.path));
    await owner.caller.run.cancel({ workspaceId: target.workspaceId, runId: target.runId }).catch(() => undefined);
  });
});

describe("every instance procedure × people who are not instance administrators", () => {
  const database = useTestDatabase("postgres");
  useTestRuntime(database);

  it("lists every instance procedure, and every admin procedure is one", () => {
    expect(instanceProcedures()).toEqual(Object.keys(instanceProcedureCalls).sort());
    expect(Object.keys(appRouter._def.procedures).filter((path) => path.startsWith("admin.")).sort()).toEqual(instanceProcedures());
  });

  it("refuses each of them to an owner of the workspace concerned who is not an instance administrator, and changes nothing", async () => {
    // The victim signs in first, so they are the instance's administrator; an owner of their workspace is not.
    const { owner, target } = await victimWorkspace({ db: database.db });
    const coOwner = await signInAs({ db: database.db, name: "Co-owner" });
    await addMember({ db: database.db, by: owner.user, workspaceId: target.workspaceId, user: coOwner.user, role: "owner" });
    const before = await database.db.user.findMany({ select: { id: true, instanceAdmin: true, disabledAt: true }, orderBy: { id: "asc" } });
    const instanceEvents = await database.db.auditEvent.count({ where: { chain: "instance" } });

    for (const [path, call] of Object.entries(instanceProcedureCalls)) {
      const error = await rejection(call(coOwner.caller, target));
      expect({ path, code: error.code, message: error.message }).toEqual({ path, code: "FORBIDDEN", message: expect.stringMatching(/^This needs an administrator of this Streamware instance/) });
    }

    expect(await database.db.user.findMany({ select: { id: true, instanceAdmin: true, disabledAt: true }, orderBy: { id: "asc" } })).toEqual(before);
    expect(await database.db.auditEvent.count({ where: { chain: "instance" } })).toBe(instanceEvents);
    expect(await database.db.workspace.count({ where: { id: target.workspaceId } })).toBe(1);
    // The same reads, by the administrator, pass the gate.
    await expect(owner.caller.admin.users({})).resolves.toMatchObject({ total: 3 });
    await expect(owner.caller.admin.workspace({ id: target.workspaceId })).resolves.toMatchObject({ id: target.workspaceId });
    await owner.caller.run.cancel({ workspaceId: target.workspaceId, runId: target.runId }).catch(() => undefined);
  });
});
