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
