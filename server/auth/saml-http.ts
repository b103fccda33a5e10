import { env } from "../env";
import { ServiceError } from "../services/service-error";
import { isSamlErrorCode } from "./saml-errors";

/**
 * The address our SAML endpoints are published under: NEXTAUTH_URL when set (so the entity id stays the same
 * whatever address a request came by), else the address of the request, as next-auth does.
 */
export function publicOrigin(request: Request): string {
  const configured = env().NEXTAUTH_URL;
  return new URL(configured ?? request.url).origin;
}

/** Only same-site paths are followed after sign-in. */
export function sameSitePath(value: string | null | undefined): string {
  return value?.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}

/** Where a refused SAML sign-in sends the browser: the sign-in page, with the refusal's code (never free text). */
export function signInErrorUrl({ origin, err }: { origin: string; err: unknown }): URL {
  const code = err instanceof ServiceError && typeof err.details === "object" && err.details !== null ? (err.details as { samlError?: unknown }).samlError : undefined;
  const url = new URL("/signin", origin);
  url.searchParams.set("error", isSamlErrorCode(code) ? code : "SamlInvalid");
  return url;
}
