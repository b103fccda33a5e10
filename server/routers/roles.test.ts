import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../db/test-databases";
import { can, roles, type Permission, type Role } from "../services/workspace-roles";
import { useTestRuntime } from "../test-runtime";
import type { ProcedureMeta } from "../trpc";
import { appRouter } from "./_app";
import { procedureCalls, victimWorkspace } from "./procedure-calls";
import { addMember, signInAs } from "./test-helpers";

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
