import type { ReactNode } from "react";

/** A failure the person needs to read, announced to screen readers as it appears. */
export function ErrorAlert({ children, className = "" }: { children: ReactNode; className?: string }) {
  return (
    <div role="alert" className={`rounded-lg bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200 ${className}`}>
      {children}
    </div>
  );
}
