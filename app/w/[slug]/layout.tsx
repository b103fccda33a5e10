import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requireUser } from "@/server/auth/session";
import { SignOutButton } from "./sign-out-button";
import { WorkspaceProvider } from "./workspace-context";
import { WorkspaceNav } from "./workspace-nav";
import { WorkspaceSwitcher } from "./workspace-switcher";
import { workspacesOf } from "./workspaces";

export const dynamic = "force-dynamic";

export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await requireUser(`/w/${slug}`);
  const workspaces = await workspacesOf(user.id);
  const workspace = workspaces.find((w) => w.slug === slug);
  // Not a member looks exactly like no such workspace.
  if (!workspace) notFound();

  return (
    <WorkspaceProvider workspace={workspace}>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex min-h-14 max-w-6xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 md:flex-nowrap md:py-0">
          <Link prefetch={false} href={`/w/${workspace.slug}`} className="flex items-center gap-2 font-semibold text-indigo-600 dark:text-indigo-400">
            <span aria-hidden className="text-xl">≋</span> Streamware
          </Link>
          <WorkspaceSwitcher current={workspace} workspaces={workspaces} />
          <WorkspaceNav slug={workspace.slug} />
          <div className="ml-auto flex shrink-0 items-center gap-3 text-sm">
            {user.instanceAdmin && (
              <Link prefetch={false} href="/admin" className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
                Admin
              </Link>
            )}
            <span className="hidden text-slate-600 2xl:inline dark:text-slate-400" title={user.email}>
              {user.name ?? user.email}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </WorkspaceProvider>
  );
}

