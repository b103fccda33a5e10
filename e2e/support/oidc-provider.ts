// A real OpenID Provider on loopback for the sign-in journeys: the app's SSO is exercised through the same
// discovery, authorization-code + PKCE and token exchange an actual identity provider would do.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Adapter, type Configuration, type KoaContextWithOIDC } from "oidc-provider";

export const defaultClientId = "streamware-e2e";

export interface OidcProviderHandle {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers one more redirect URI for the client, as an admin does at a real provider once the app shows it. */
  allowRedirect(uri: string): Promise<void>;
  close(): Promise<void>;
}

/** "grace.hopper" → "Grace Hopper": enough of a display name for a test account. */
function displayName(login: string): string {
  const local = login.split("@")[0] ?? login;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join(" ");
}

/**
 * Any login name is a valid account, so a journey can invent users without seeding anything. A login without "@"
 * gets an address at `emailDomain`; the provider vouches for every address unless `emailVerified` is false.
 */
function accounts({ emailDomain, emailVerified }: { emailDomain: string; emailVerified: boolean }) {
  return (_ctx: KoaContextWithOIDC, login: string) => ({
    accountId: login,
    claims: () => ({
      sub: login,
      email: login.includes("@") ? login : `${login}@${emailDomain}`,
      email_verified: emailVerified,
      name: displayName(login),
      preferred_username: login,
    }),
  });
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family: sans-serif; max-width: 24rem; margin: 3rem auto">${body}</body></html>`;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/**
 * Our own login and consent pages instead of oidc-provider's devInteractions: those pull a web font from the
 * internet (slow to fail offline) and have unlabelled inputs; these are plain, labelled and offline.
 */
async function handleInteraction(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse) {
  const [, , uid, action] = new URL(req.url ?? "/", "http://local").pathname.split("/");
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error("interaction cookie does not match the URL");
  const base = `/interaction/${encodeURIComponent(details.uid)}`;

  if (req.method === "GET" && action === undefined) {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    if (details.prompt.name === "login") {
      res.end(
        page(
          "Test SSO: sign in",
          `<h1>Test SSO</h1>
<form method="post" action="${base}/login">
  <p><label for="login">Login</label><br><input id="login" name="login" autocomplete="off" required autofocus></p>
  <button type="submit">Sign in</button>
</form>`,
        ),
      );
      return;
    }
    const scopes = String(details.params.scope ?? "").split(" ").filter((scope) => scope !== "openid");
    res.end(
      page(
        "Test SSO: authorize",
        `<h1>Authorize ${escapeHtml(String(details.params.client_id))}</h1>
<p>It asks for: ${escapeHtml(scopes.join(", ") || "your identity")}</p>
<form method="post" action="${base}/confirm"><button type="submit">Allow</button></form>
<form method="post" action="${base}/abort"><button type="submit">Deny</button></form>`,
      ),
    );
    return;
  }

  if (req.method === "POST" && action === "login") {
    const login = (await readForm(req)).get("login")?.trim();
    if (!login) {
      res.writeHead(303, { location: base }).end();
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return;
  }

  if (req.method === "POST" && action === "confirm") {
    const { prompt, params, session, grantId } = details;
    if (!session) throw new Error("consent without a signed-in session");
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
    if (!grant) throw new Error(`grant ${grantId} not found`);
    const missingScope = prompt.details.missingOIDCScope as string[] | undefined;
    const missingClaims = prompt.details.missingOIDCClaims as string[] | undefined;
    if (missingScope) grant.addOIDCScope(missingScope.join(" "));
    if (missingClaims) grant.addOIDCClaims(missingClaims);
    const savedGrantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId: savedGrantId } }, { mergeWithLastSubmission: true });
    return;
  }

  if (req.method === "POST" && action === "abort") {
    await provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "The user denied the request" },
      { mergeWithLastSubmission: false },
    );
    return;
  }

  res.writeHead(404).end();
}

/**
 * Starts the provider on 127.0.0.1:`port` (0 picks a free port) with one confidential client whose redirects
 * are next-auth's OIDC callback on each of `appOrigins` (the app answers on every address it is opened by); more
 * are added with `allowRedirect`.
 */
export async function startOidcProvider({
  port,
  appOrigins,
  clientId = defaultClientId,
  clientSecret = randomBytes(24).toString("base64url"),
  emailDomain = "example.test",
  emailVerified = true,
}: {
  port: number;
  appOrigins: string[];
  clientId?: string;
  clientSecret?: string;
  emailDomain?: string;
  emailVerified?: boolean;
}): Promise<OidcProviderHandle> {
  // The request handler is attached once the provider exists; nobody knows the address before this returns.
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  // The issuer must carry the real port, which is only known once listening when port is 0.
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const configuration: Configuration = {
    // Without this the id token carries only sub; next-auth builds the user from the id token.
    conformIdTokenClaims: false,
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
    },
    scopes: ["openid", "email", "profile"],
    findAccount: accounts({ emailDomain, emailVerified }),
    // next-auth 4 with checks ["pkce", "state"] sends an S256 challenge; requiring it catches a config that stops.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Explicit lifetimes: the defaults work but print a notice per artifact type into the test output.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    jwks: { keys: [{ ...signingKey, kid: "e2e-signing-key", use: "sig", alg: "RS256" }] },
  };
  const provider = new Provider(issuer, configuration);
  const providerCallback = provider.callback();
  // The client lives in the provider's store rather than its static configuration, so redirects can be added.
  const redirectUris = new Set(appOrigins.map((origin) => `${origin}/api/auth/callback/oidc`));
  // `Client.adapter` is oidc-provider's store for clients; its type declarations leave the static out.
  const clientStore = (provider.Client as unknown as { adapter: Adapter }).adapter;
  const registerClient = () =>
    clientStore.upsert(
      clientId,
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [...redirectUris],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
      24 * 3600,
    );
  await registerClient();

  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!req.url?.startsWith("/interaction/")) {
      void providerCallback(req, res);
      return;
    }
    handleInteraction(provider, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end(`Test SSO interaction failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    async allowRedirect(uri) {
      redirectUris.add(uri);
      await registerClient();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Playwright globalSetup (wired in playwright.config.ts, which also puts the ports and client secret in the
 * environment so the app's web server and this provider agree). Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const port = Number(process.env.E2E_OIDC_PORT);
  const appOrigin = process.env.E2E_APP_ORIGIN;
  const clientId = process.env.E2E_OIDC_CLIENT_ID;
  const clientSecret = process.env.E2E_OIDC_CLIENT_SECRET;
  if (!port || !appOrigin || !clientId || !clientSecret) {
    throw new Error("E2E_OIDC_PORT, E2E_APP_ORIGIN, E2E_OIDC_CLIENT_ID and E2E_OIDC_CLIENT_SECRET must be set (playwright.config.ts sets them)");
  }
  // The journeys sign in by localhost and by 127.0.0.1; a real provider lists each address people use.
  const twin = appOrigin.replace("//localhost:", "//127.0.0.1:");
  const oidc = await startOidcProvider({ port, appOrigins: [...new Set([appOrigin, twin])], clientId, clientSecret });
  return () => oidc.close();
}
