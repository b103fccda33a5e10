"use client";

import { usePathname } from "next/navigation";
import { SectionNav } from "@/app/_components/section-nav";

/** The workspace's sections; the one being looked at is marked. */
export function WorkspaceNav({ slug }: { slug: string }) {
  const pathname = usePathname();
  const base = `/w/${slug}`;
  const section = (path: string, label: string) => ({ href: `${base}${path}`, label, active: pathname.startsWith(`${base}${path}`) });
  return (
    <SectionNav
      label="Workspace"
      sections={[
        { href: base, label: "Flows", active: pathname === base || pathname.startsWith(`${base}/flows`) },
        section("/dashboards", "Dashboards"),
        section("/runs", "Runs"),
        section("/experiments", "Experiments"),
        section("/usage", "Usage"),
        section("/credentials", "Credentials"),
        section("/settings", "Settings"),
      ]}
    />
  );
}
