import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requireUser } from "@/server/auth/session";
import { SignOutButton } from "../w/[slug]/sign-out-button";
import { AdminNav } from "./admin-nav";

export const dynamic = "force-dynamic";

/** The instance's administration: only its administrators see it; to anyone else it does not exist. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireUser("/admin");
  if (!user.instanceAdmin) notFound();
  return (
    <>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex min-h-14 max-w-6xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 md:flex-nowrap md:py-0">
          <Link prefetch={false} href="/" className="flex items-center gap-2 font-semibold text-indigo-600 dark:text-indigo-400">
            <span aria-hidden className="text-xl">≋</span> Streamware
          </Link>
          <span className="rounded-md bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/40 dark:text-amber-200">Instance admin</span>
          <AdminNav />
          <div className="ml-auto flex shrink-0 items-center gap-3 text-sm">
            <Link prefetch={false} href="/" className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
              Your workspaces
            </Link>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </>
  );
}
