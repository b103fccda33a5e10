import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { can, permissions, roles, type Permission } from "./workspace-roles";

const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../README.md"), "utf8");

/** The permission table as the README prints it: one row per permission, a column per role from least to most. */
function permissionTableMarkdown(): string {
  const columns = [...roles].reverse();
  const lines = [`| Permission | What it covers | ${columns.join(" | ")} |`, `|---|---|${columns.map(() => ":-:").join("|")}|`];
  for (const [permission, { what }] of Object.entries(permissions)) {
    lines.push(`| \`${permission}\` | ${what} | ${columns.map((role) => (can({ role, permission: permission as Permission }) ? "✓" : "")).join(" | ")} |`);
  }
  return lines.join("\n");
}

describe("permissions", () => {
  it("lets each role do what its own and every lower role may", () => {
    const allowed = Object.fromEntries(roles.map((role) => [role, (Object.keys(permissions) as Permission[]).filter((permission) => can({ role, permission }))]));
    expect(allowed).toEqual({
      viewer: ["workspace.read", "membership.leave"],
      operator: ["workspace.read", "membership.leave", "run.control", "flow.activate"],
      editor: ["workspace.read", "membership.leave", "run.control", "flow.activate", "flow.edit", "run.delete", "credential.edit", "abTest.edit", "dashboard.edit"],
      admin: ["workspace.read", "membership.leave", "run.control", "flow.activate", "flow.edit", "run.delete", "credential.edit", "abTest.edit", "dashboard.edit", "workspace.manage", "audit.read", "sso.manage", "apiKey.manage", "member.manage"],
      owner: Object.keys(permissions),
    });
  });

  it("is printed in the README as it is", () => {
    expect(readme).toContain(permissionTableMarkdown());
  });
});
