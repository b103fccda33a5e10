"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * When NEXTAUTH_URL names another address than the one in the address bar, sign-in cannot stick: next-auth
 * sends the browser back to the configured address, where its session cookie was never set. The browser alone
 * knows the address the person used (a proxy may hide it from the server), so the comparison happens here.
 */
export function AddressCheck({ configured }: { configured: string }) {
  const here = useSyncExternalStore(subscribe, () => window.location.origin, () => null);
  const path = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search, () => "");
  if (here === null || here === configured) return null;

  return (
    <div
      role="alert"
      className="mb-6 space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100"
    >
      <p className="font-semibold">Signing in will not work at this address.</p>
      <p>
        <code className="rounded bg-amber-100 px-1 dark:bg-amber-900">NEXTAUTH_URL</code> is set to <span className="wrap-break-word font-semibold">{configured}</span>,
        but this page was opened at <span className="wrap-break-word font-semibold">{here}</span>. Sign-in would send you to the configured address, where this
        browser is not signed in.
      </p>
      <p>
        <a href={`${configured}${path}`} className="wrap-break-word font-semibold underline underline-offset-2 hover:text-amber-700 dark:hover:text-amber-300">
          Open {configured}
        </a>
      </p>
      <p className="text-amber-800 dark:text-amber-200">
        To sign in at this address instead, set <code className="rounded bg-amber-100 px-1 dark:bg-amber-900">NEXTAUTH_URL</code> to{" "}
        <span className="wrap-break-word">{here}</span>, or leave it unset so every address works, and restart Streamware.
      </p>
    </div>
  );
}
