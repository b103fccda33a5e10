import type { Provider } from "next-auth/providers/index";
import { connectionTestHttp } from "../connection-test-http";
import { secretBox } from "../crypto";
import type { Db } from "../db";
import { logger } from "../logger";
import { discoverOidc, ssoProviderId, ssoService } from "../services/sso-service";

/** The id-token claims a workspace's provider is read from. */
export interface SsoProfile {
  sub: string;
  email?: string;
  email_verified?: boolean | string;
  name?: string;
  preferred_username?: string;
}

/** The connection id behind a next-auth provider id, or null for the instance's own providers. */
export function ssoConnectionOf(providerId: string | undefined): string | null {
  return providerId?.startsWith("sso-") ? providerId.slice("sso-".length) : null;
}

/** Discovery is re-read at least this often, so a provider's moved endpoints are picked up without a save. */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

const built = new Map<string, { updatedAt: number; at: number; provider: Provider }>();

/**
 * A provider for one connection. Its endpoints come from the issuer's discovery read through the SSRF-safe client,
 * and the hosts openid-client will call from the server (token, keys, user info) are checked the same way first:
 * given endpoints instead of a well-known address, openid-client does no discovery of its own.
 */
async function build(client: { id: string; issuer: string; clientId: string; clientSecret: string }): Promise<Provider> {
  const http = connectionTestHttp();
  try {
    const discovery = await discoverOidc({ http, issuer: client.issuer });
    const serverSide = [discovery.token_endpoint, discovery.jwks_uri, discovery.userinfo_endpoint].filter((url): url is string => Boolean(url));
    for (const host of new Set(serverSide.map((url) => new URL(url).hostname))) await http.checkHost(host);
    return {
      id: ssoProviderId(client.id),
      name: "Single sign-on",
      type: "oauth",
      issuer: discovery.issuer,
      authorization: { url: discovery.authorization_endpoint, params: { scope: "openid email profile" } },
      token: discovery.token_endpoint,
      userinfo: discovery.userinfo_endpoint,
      jwks_endpoint: discovery.jwks_uri,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      // openid-client checks the id token's signature, issuer, audience and nonce; its claims are the profile.
      idToken: true,
      checks: ["pkce", "state", "nonce"],
      profile(profile: SsoProfile) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.preferred_username ?? null };
      },
    };
  } finally {
    await http.close();
  }
}

/**
 * The next-auth provider of the workspace connection an auth request names (`/api/auth/signin/sso-<id>`, its
 * callback), or null. Only that one is built: the connection is read on every request, and its provider is kept
 * until the connection changes (updatedAt) or its discovery ages out, so every process sees a saved change at once.
 */
export async function ssoProvider({ db, providerId }: { db: Db; providerId: string | undefined }): Promise<Provider | null> {
  const connectionId = ssoConnectionOf(providerId);
  if (!connectionId) return null;
  const client = await ssoService.oidcClient({ db, box: secretBox(), connectionId });
  if (!client) {
    built.delete(connectionId);
    return null;
  }
  const cached = built.get(connectionId);
  if (cached && cached.updatedAt === client.updatedAt.getTime() && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.provider;
  try {
    const provider = await build(client);
    built.set(connectionId, { updatedAt: client.updatedAt.getTime(), at: Date.now(), provider });
    return provider;
  } catch (err) {
    built.delete(connectionId);
    logger.warn({ err, connectionId }, "a workspace's single sign-on provider could not be set up");
    return null;
  }
}
