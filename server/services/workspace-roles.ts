/** Roles and what the browser may know of a workspace; free of I/O so pages can import it. */
export const roles = ["owner", "admin", "editor", "viewer"] as const;

export type Role = (typeof roles)[number];

const rank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

export function roleAtLeast({ role, min }: { role: Role; min: Role }): boolean {
  return rank[role] >= rank[min];
}

export interface WorkspaceSummary {
  id: string;
  slug: string;
  name: string;
  personal: boolean;
  role: Role;
}
