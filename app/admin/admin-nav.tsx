"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const sections = [
  { href: "/admin", label: "Users" },
  { href: "/admin/workspaces", label: "Workspaces" },
  { href: "/admin/domains", label: "Domain claims" },
  { href: "/admin/audit", label: "Audit log" },
];

/** The instance administration's sections; the one being looked at is marked. */
export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Administration" className="order-last -mx-1 flex w-full min-w-0 items-center gap-1 overflow-x-auto px-1 pb-1 text-sm md:order-none md:w-auto md:pb-0">
      {sections.map(({ href, label }) => {
        const active = href === "/admin" ? pathname === href : pathname.startsWith(href);
        return (
          <Link
            key={href}
            prefetch={false}
            href={href}
            aria-current={active ? "page" : undefined}
            className={`shrink-0 rounded-md px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800 ${active ? "bg-slate-100 font-medium text-slate-900 dark:bg-slate-800 dark:text-slate-100" : ""}`}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
