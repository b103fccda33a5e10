"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { can, type Permission } from "@/server/services/workspace-roles";
import { useWorkspace } from "../workspace-context";

const tabs: { href: string; label: string; permission: Permission }[] = [
  { href: "", label: "General and members", permission: "workspace.read" },
  { href: "/sso", label: "Single sign-on", permission: "sso.manage" },
  { href: "/audit", label: "Audit log", permission: "audit.read" },
];

/** The workspace settings' sections, each shown only to the roles that may open it. */
export function SettingsTabs() {
  const workspace = useWorkspace();
  const pathname = usePathname();
  const base = `/w/${workspace.slug}/settings`;
  return (
    <nav aria-label="Settings" className="mb-8 flex flex-wrap gap-1 border-b border-slate-200 text-sm dark:border-slate-800">
      {tabs
        .filter((tab) => can({ role: workspace.role, permission: tab.permission }))
        .map((tab) => {
          const href = `${base}${tab.href}`;
          const current = pathname === href;
          return (
            <Link
              key={tab.href}
              prefetch={false}
              href={href}
              aria-current={current ? "page" : undefined}
              className={`-mb-px border-b-2 px-3 py-2 ${current ? "border-indigo-600 font-medium text-indigo-700 dark:border-indigo-400 dark:text-indigo-300" : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100"}`}
            >
              {tab.label}
            </Link>
          );
        })}
    </nav>
  );
}
