import type { Metadata } from "next";
import { notFound } from "next/navigation";
import type { SharedDashboard } from "@/nodes/_core/dashboard-share";
import { getDb } from "@/server/db";
import { dashboardShareService } from "@/server/services/dashboard-share-service";
import { ServiceError } from "@/server/services/service-error";
import { shareSecret } from "@/server/share-settings";
import { SharedDashboardView } from "./shared-dashboard";

export const dynamic = "force-dynamic";

// A shared link is for the people it was given to, not for search engines.
export const metadata: Metadata = { robots: { index: false, follow: false }, referrer: "no-referrer" };

/** A dashboard shared by link: read-only, without signing in, under its workspace's branding. */
export default async function SharedDashboardPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const shared = await sharedDashboard(token);
  if (!shared) notFound();
  return <SharedDashboardView token={token} initial={shared} />;
}

/** What the link opens, or null when it opens nothing. */
async function sharedDashboard(token: string): Promise<SharedDashboard | null> {
  const db = await getDb();
  try {
    const share = await dashboardShareService.resolve({ db, token, secret: shareSecret() });
    return await dashboardShareService.view({ db, share });
  } catch (err) {
    if (err instanceof ServiceError && err.code === "NOT_FOUND") return null;
    throw err;
  }
}
