/** Where webhooks are answered, before Next.js: `/hooks/<workspace slug>/<path>`. */
export const HOOKS_PREFIX = "/hooks/";

/**
 * A webhook's route key: its workspace's slug, then the path its node declares. Slugs hold no "/", so the key is
 * unambiguous, and a path means something only inside its workspace: each workspace has all paths to itself.
 */
export function webhookRouteKey({ workspaceSlug, path }: { workspaceSlug: string; path: string }): string {
  return `${workspaceSlug}/${path}`;
}

/** The URL path (without the origin) a webhook answers at, as shown to users: `/hooks/acme/orders/new`. */
export function webhookUrlPath({ workspaceSlug, path }: { workspaceSlug: string; path: string }): string {
  return `${HOOKS_PREFIX}${webhookRouteKey({ workspaceSlug, path })}`;
}

/**
 * Where a flow's draft answers one test call while the editor listens for it: `/hooks-test/<workspace slug>/<path>`.
 * A prefix of its own rather than a segment under /hooks/, so no workspace slug or webhook path can clash with it.
 */
export const HOOKS_TEST_PREFIX = "/hooks-test/";

/** The test URL path of a webhook, as shown in its panel: `/hooks-test/acme/orders/new`. */
export function webhookTestUrlPath({ workspaceSlug, path }: { workspaceSlug: string; path: string }): string {
  return `${HOOKS_TEST_PREFIX}${webhookRouteKey({ workspaceSlug, path })}`;
}

/** The trigger a run started by a call to a test URL is marked with, in the run lists. */
export const TEST_WEBHOOK_TRIGGER = "test webhook";
