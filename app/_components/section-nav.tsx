"use client";

import Link from "next/link";

export interface Section {
  href: string;
  label: string;
  /** Whether the page being looked at belongs to this section. */
  active: boolean;
}

/** A header's row of sections with the current one marked; the row scrolls sideways on a narrow screen. */
export function SectionNav({ label, sections }: { label: string; sections: Section[] }) {
  return (
    <nav aria-label={label} className="order-last -mx-1 flex w-full min-w-0 items-center gap-1 overflow-x-auto px-1 pb-1 text-sm md:order-none md:w-auto md:pb-0">
      {sections.map(({ href, label: text, active }) => (
        <Link
          key={href}
          prefetch={false}
          href={href}
          aria-current={active ? "page" : undefined}
          className={`shrink-0 rounded-md px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800 ${active ? "bg-slate-100 font-medium text-slate-900 dark:bg-slate-800 dark:text-slate-100" : ""}`}
        >
          {text}
        </Link>
      ))}
    </nav>
  );
}
