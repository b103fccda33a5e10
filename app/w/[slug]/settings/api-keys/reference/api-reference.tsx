"use client";

import "@scalar/api-reference-react/style.css";
import { ApiReferenceReact } from "@scalar/api-reference-react";
import Link from "next/link";
import { useSyncExternalStore } from "react";
import { useWorkspace } from "../../../workspace-context";

const darkQuery = "(prefers-color-scheme: dark)";

function subscribe(onChange: () => void) {
  const media = window.matchMedia(darkQuery);
  media.addEventListener("change", onChange);
  return () => media.removeEventListener("change", onChange);
}

/**
 * The REST API's reference, rendered from /api/v1/openapi.json by Scalar, bundled with the app: no fonts, telemetry,
 * AI chat or request proxy from elsewhere; "try it" requests go straight to this server. It follows the system's dark mode as
 * the rest of the app does.
 */
export function ApiReference() {
  const workspace = useWorkspace();
  const dark = useSyncExternalStore(subscribe, () => window.matchMedia(darkQuery).matches, () => false);
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Every request needs a key of this workspace: <code>Authorization: Bearer swk_…</code>.{" "}
        <Link prefetch={false} href={`/w/${workspace.slug}/settings/api-keys`} className="font-medium text-indigo-700 underline dark:text-indigo-300">
          Manage API keys
        </Link>
      </p>
      <div className="overflow-hidden rounded-xl border border-slate-200 dark:border-slate-800">
        <ApiReferenceReact
          key={dark ? "dark" : "light"}
          configuration={{
            url: "/api/v1/openapi.json",
            withDefaultFonts: false,
            telemetry: false,
            // Scalar's hosted extras (its AI chat, MCP, the toolbar that shares and deploys through its site) stay off.
            agent: { disabled: true },
            mcp: { disabled: true },
            showDeveloperTools: "never",
            hideModels: true,
            hideDarkModeToggle: true,
            forceDarkModeState: dark ? "dark" : "light",
            darkMode: dark,
            showSidebar: true,
            documentDownloadType: "json",
            authentication: { preferredSecurityScheme: "apiKey" },
          }}
        />
      </div>
    </div>
  );
}
