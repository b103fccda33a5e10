import type { ReactNode } from "react";

/** A page of its own outside any workspace (sign-in, an invitation): the brand over one centred card. */
export function BrandCard({ width = "max-w-sm", children }: { width?: "max-w-sm" | "max-w-md"; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className={`w-full ${width} space-y-5 rounded-2xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900`}>
        <div className="flex items-center gap-2 text-indigo-600 dark:text-indigo-400">
          <span aria-hidden className="text-2xl">≋</span>
          <span className="font-semibold tracking-tight">Streamware</span>
        </div>
        {children}
      </div>
    </main>
  );
}
