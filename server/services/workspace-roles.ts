/**
 * Roles, what each may do, and what the browser may know of a workspace: the one place these rules are written.
 * Free of I/O so pages can import it; the server's gate (`workspaceProcedure`, `workspaceService.requireRole`) and
 * the pages that hide what a role may not do read the same table.
 */
export const roles = ["owner", "admin", "editor", "operator", "viewer"] as const;

export type Role = (typeof roles)[number];

const rank: Record<Role, number> = { viewer: 0, operator: 1, editor: 2, admin: 3, owner: 4 };

export function roleAtLeast({ role, min }: { role: Role; min: Role }): boolean {
  return rank[role] >= rank[min];
}

/** Which role may do what: each action, what it covers, and the least role that may take it (every higher role may too). */
export const permissions = {
  "workspace.read": { least: "viewer", what: "See flows, versions, runs, credentials (never their secrets), members, usage, A/B results and dashboards." },
  "membership.leave": { least: "viewer", what: "Leave the workspace." },
  "run.control": { least: "operator", what: "Start, cancel and retry runs, and listen for a test webhook call." },
  "flow.activate": { least: "operator", what: "Activate (make a saved version live, or roll back to one) and deactivate flows." },
  "flow.edit": { least: "editor", what: "Create, edit, save, duplicate and delete flows." },
  "run.delete": { least: "editor", what: "Delete finished runs, one by one or all that match a filter." },
  "credential.edit": { least: "editor", what: "Create, edit, test and delete credentials." },
  "abTest.edit": { least: "editor", what: "Record A/B conversions and reset experiments." },
  "dashboard.edit": { least: "editor", what: "Create, edit and delete dashboards, and share them by link." },
  "workspace.manage": { least: "admin", what: "Rename the workspace, set how long its audit log and its dashboards' series points are kept, and how its shared dashboards look." },
  "audit.read": { least: "admin", what: "Read and export the audit log." },
  "sso.manage": { least: "admin", what: "Configure the workspace's single sign-on (OIDC or SAML), its claimed email domains and \"require SSO\"." },
  "apiKey.manage": { least: "admin", what: "Create and revoke the workspace's API keys." },
  "member.manage": { least: "admin", what: "Invite members, change their roles and remove them (owners aside)." },
  "owner.manage": { least: "owner", what: "Invite owners, hand ownership over, take the owner role away, and remove an owner." },
  "workspace.delete": { least: "owner", what: "Delete the workspace with everything in it." },
} as const satisfies Record<string, { least: Role; what: string }>;

export type Permission = keyof typeof permissions;

export function can({ role, permission }: { role: Role; permission: Permission }): boolean {
  return roleAtLeast({ role, min: permissions[permission].least });
}

/**
 * What an API key's scopes let it do, in terms of the permissions above: a key may take an action when one of its
 * scopes grants that permission, and never beyond what the member who made it may currently do. Reading is part
 * of every scope, since a key that may start a run must be able to follow it.
 */
export const apiKeyScopes = {
  read: { grants: ["workspace.read"], what: "List and read flows, versions, runs and credentials (never their secrets)." },
  run: { grants: ["workspace.read", "run.control", "flow.activate"], what: "Start and cancel runs, activate and deactivate flows." },
  write: { grants: ["workspace.read", "flow.edit", "credential.edit"], what: "Create and change flows, their versions and credentials." },
  admin: { grants: "admin", what: "Everything an admin may do." },
} as const satisfies Record<string, { grants: readonly Permission[] | Role; what: string }>;

export type ApiKeyScope = keyof typeof apiKeyScopes;

export const apiKeyScopeNames = Object.keys(apiKeyScopes) as ApiKeyScope[];

export function scopesGrant({ scopes, permission }: { scopes: readonly ApiKeyScope[]; permission: Permission }): boolean {
  return scopes.some((scope) => {
    const grants: readonly Permission[] | Role = apiKeyScopes[scope].grants;
    return typeof grants === "string" ? can({ role: grants, permission }) : grants.includes(permission);
  });
}

export interface WorkspaceSummary {
  id: string;
  slug: string;
  name: string;
  personal: boolean;
  role: Role;
}

/** The article a role takes in a sentence: "an" editor, "a" viewer. */
export function roleArticle(role: Role): "a" | "an" {
  return /^[aeiou]/.test(role) ? "an" : "a";
}

/** The role with its article, for sentences: "an editor", "a viewer". */
export function aRole(role: Role): string {
  return `${roleArticle(role)} ${role}`;
}
