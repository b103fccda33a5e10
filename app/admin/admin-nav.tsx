"use client";

import { usePathname } from "next/navigation";
import { SectionNav } from "@/app/_components/section-nav";

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
    <SectionNav
      label="Administration"
      sections={sections.map(({ href, label }) => ({ href, label, active: href === "/admin" ? pathname === href : pathname.startsWith(href) }))}
    />
  );
}
