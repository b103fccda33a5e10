import { describe, expect, it } from "vitest";
import { can, permissions, roles, type Permission } from "./workspace-roles";

describe("permissions", () => {
  it("lets each role do what its own and every lower role may", () => {
    const allowed = Object.fromEntries(roles.map((role) => [role, (Object.keys(permissions) as Permission[]).filter((permission) => can({ role, permission }))]));
    expect(allowed).toEqual({
      viewer: ["workspace.read", "membership.leave"],
      editor: ["workspace.read", "membership.leave", "flow.edit", "run.control", "run.delete", "credential.edit", "abTest.edit"],
      admin: ["workspace.read", "membership.leave", "flow.edit", "run.control", "run.delete", "credential.edit", "abTest.edit", "workspace.manage", "member.manage"],
      owner: Object.keys(permissions),
    });
  });
});
