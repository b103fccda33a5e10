import { createHttpClient, httpAllowListFromEnv, type SafeHttpClient } from "../runner/http-client";
import { env } from "./env";

/**
 * The HTTP client a credential's connection test sends through: the runner's SSRF-safe client, with the same
 * allow list as runs, so a credential for an allowed internal host tests as it will run. One per test, closed after.
 */
export function connectionTestHttp(): SafeHttpClient {
  return createHttpClient({ allow: httpAllowListFromEnv(env().HTTP_ALLOW_HOSTS) });
}
