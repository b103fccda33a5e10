// Proves the test identity provider on its own, so a failing sign-in journey points at the app, not at it.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OidcProviderHandle, startOidcProvider } from "./oidc-provider";

const appOrigin = "http://localhost:39999";
const redirectUri = `${appOrigin}/api/auth/callback/oidc`;

let oidc: OidcProviderHandle;

beforeAll(async () => {
  oidc = await startOidcProvider({ port: 0, appOrigins: [appOrigin] });
});

afterAll(async () => {
  await oidc?.close();
});

/** Just enough of a browser: keeps cookies and stops at the first page or at a redirect back to the app. */
class Browser {
  private cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(new URL(url, oidc.issuer), { ...init, headers, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const separator = pair.indexOf("=");
      this.cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
    }
    return response;
  }

  /** Follows redirects; returns the page reached, or the app URL the provider sent the browser back to. */
  async follow(url: string, init?: RequestInit): Promise<{ page?: string; appUrl?: URL }> {
    let response = await this.request(url, init);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const location = new URL(response.headers.get("location")!, oidc.issuer);
      if (location.origin === appOrigin) return { appUrl: location };
      response = await this.request(location.href);
    }
    expect(response.status).toBe(200);
    return { page: await response.text() };
  }

  submit(page: string, action: string, fields: Record<string, string> = {}) {
    const form = [...page.matchAll(/<form method="post" action="([^"]+)"/g)].find(([, path]) => path!.endsWith(action));
    expect(form, `a form posting to …${action}`).toBeDefined();
    return this.follow(form![1]!, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

function authorizationUrl({ challenge, state }: { challenge?: string; state: string }): string {
  const url = new URL("/auth", oidc.issuer);
  url.search = new URLSearchParams({
    client_id: oidc.clientId,
    response_type: "code",
    scope: "openid email profile",
    redirect_uri: redirectUri,
    state,
    ...(challenge ? { code_challenge: challenge, code_challenge_method: "S256" } : {}),
  }).toString();
  return url.href;
}

describe("test OIDC provider", () => {
  it("publishes discovery for its issuer with S256 PKCE", async () => {
    const response = await fetch(`${oidc.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: oidc.issuer,
      authorization_endpoint: `${oidc.issuer}/auth`,
      token_endpoint: `${oidc.issuer}/token`,
      code_challenge_methods_supported: ["S256"],
    });
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(["openid", "email", "profile"]));
  });

  it("signs in any login with code + PKCE and puts email and name in the id token", async () => {
    const browser = new Browser();
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const state = randomBytes(8).toString("hex");

    const login = await browser.follow(authorizationUrl({ challenge, state }));
    expect(login.page).toContain('<label for="login">Login</label>');
    const consent = await browser.submit(login.page!, "/login", { login: "grace.hopper" });
    expect(consent.page).toContain("Allow");
    const { appUrl } = await browser.submit(consent.page!, "/confirm");
    expect(appUrl?.pathname).toBe("/api/auth/callback/oidc");
    expect(appUrl?.searchParams.get("state")).toBe(state);
    const code = appUrl?.searchParams.get("code");
    expect(code).toBeTruthy();

    const token = await fetch(`${oidc.issuer}/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${oidc.clientId}:${oidc.clientSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ grant_type: "authorization_code", code: code!, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    expect(token.status).toBe(200);
    const { id_token: idToken } = (await token.json()) as { id_token: string };
    const claims = JSON.parse(Buffer.from(idToken.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      iss: oidc.issuer,
      aud: oidc.clientId,
      sub: "grace.hopper",
      email: "grace.hopper@example.test",
      name: "Grace Hopper",
    });
  });

  it("refuses an authorization request without PKCE", async () => {
    const { appUrl } = await new Browser().follow(authorizationUrl({ state: "no-pkce" }));
    expect(appUrl?.searchParams.get("error")).toBe("invalid_request");
  });
});
