"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** The workspace's sections; the one being looked at is marked, and the row scrolls sideways on a narrow screen. */
export function WorkspaceNav({ slug }: { slug: string }) {
  const pathname = usePathname();
  const base = `/w/${slug}`;
  const sections = [
    { href: base, label: "Flows", current: pathname === base || pathname.startsWith(`${base}/flows`) },
    { href: `${base}/runs`, label: "Runs" },
    { href: `${base}/experiments`, label: "Experiments" },
    { href: `${base}/usage`, label: "Usage" },
    { href: `${base}/credentials`, label: "Credentials" },
    { href: `${base}/settings`, label: "Settings" },
  ];
  return (
    <nav aria-label="Workspace" className="order-last -mx-1 flex w-full min-w-0 items-center gap-1 overflow-x-auto px-1 pb-1 text-sm md:order-none md:w-auto md:pb-0">
      {sections.map(({ href, label, current }) => {
        const active = current ?? pathname.startsWith(href);
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
