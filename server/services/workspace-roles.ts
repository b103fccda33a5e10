/**
 * Roles, what each may do, and what the browser may know of a workspace: the one place these rules are written.
 * Free of I/O so pages can import it; the server's gate (`workspaceProcedure`, `workspaceService.requireRole`) and
 * the pages that hide what a role may not do read the same table.
 */
export const roles = ["owner", "admin", "editor", "viewer"] as const;

export type Role = (typeof roles)[number];

const rank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

export function roleAtLeast({ role, min }: { role: Role; min: Role }): boolean {
  return rank[role] >= rank[min];
}

/** Which role may do what: each action with the least role that may take it (every higher role may too). */
export const permissions = {
  /** See flows, versions, runs, credentials (never their secrets), members, usage and A/B results. */
  "workspace.read": "viewer",
  /** Leave the workspace. */
  "membership.leave": "viewer",
  /** Create, edit, save, delete, activate and deactivate flows. */
  "flow.edit": "editor",
  /** Start and cancel runs. */
  "run.control": "editor",
  /** Delete finished runs, one by one or all that match a filter. */
  "run.delete": "editor",
  /** Create, edit, test and delete credentials. */
  "credential.edit": "editor",
  /** Record A/B conversions and reset experiments. */
  "abTest.edit": "editor",
  /** Rename the workspace. */
  "workspace.manage": "admin",
  /** Read and export the audit log, and set how long it is kept. */
  "audit.read": "admin",
  /** Add members, change their roles and remove them (owners aside). */
  "member.manage": "admin",
  /** Grant or take away the owner role, and remove an owner. */
  "owner.manage": "owner",
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof permissions;

export function can({ role, permission }: { role: Role; permission: Permission }): boolean {
  return roleAtLeast({ role, min: permissions[permission] });
}

export interface WorkspaceSummary {
  id: string;
  slug: string;
  name: string;
  personal: boolean;
  role: Role;
}
