import type { Account, NextAuthOptions, User } from "next-auth";
import type { Provider } from "next-auth/providers/index";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "../db";
import { devLoginEnabled, env, oidcEnabled, type Env } from "../env";
import { logger } from "../logger";
import { ServiceError } from "../services/service-error";
import { SAML_BROWSER_COOKIE, SAML_PROVIDER_ID, samlService } from "../services/saml-service";
import { ssoService } from "../services/sso-service";
import { userService } from "../services/user-service";
import { ssoConnectionOf, type SsoProfile } from "./sso-providers";

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

export const OIDC_PROVIDER_ID = "oidc";
export const DEV_PROVIDER_ID = "dev";
/** The sign-in page's error code for a person whose email's domain must sign in through its workspace's SSO. */
const SSO_REQUIRED = "SsoRequired";

function oidcProvider(e: Env): Provider {
  return {
    id: OIDC_PROVIDER_ID,
    name: e.OIDC_NAME,
    type: "oauth",
    wellKnown: `${e.OIDC_ISSUER!.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile(profile: OidcProfile) {
      return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.preferred_username ?? null };
    },
  };
}

function devProvider(e: Env): Provider {
  return CredentialsProvider({
    id: DEV_PROVIDER_ID,
    name: "Development",
    credentials: { email: { label: "Email", type: "email" } },
    async authorize(credentials) {
      const db = await getDb();
      const email = credentials?.email ?? "";
      if (await ssoService.requiredConnection({ db, email, via: null })) {
        await userService.recordFailedSignIn({ db, provider: DEV_PROVIDER_ID, email, reason: "the email's domain must sign in through its workspace's single sign-on" });
        // next-auth sends the message to the sign-in page as its error code.
        throw new Error(SSO_REQUIRED);
      }
      try {
        const user = await userService.signIn({ db, identity: { provider: DEV_PROVIDER_ID, email }, instanceAdmins: e.INSTANCE_ADMINS });
        return { id: user.id, email: user.email, name: user.name };
      } catch (err) {
        await userService.recordFailedSignIn({ db, provider: DEV_PROVIDER_ID, email, reason: err instanceof Error ? err.message : String(err) });
        // next-auth puts a thrown error's message in the sign-in page's address; this one the page explains.
        if (err instanceof ServiceError && err.code === "FORBIDDEN") throw new Error("AccountDisabled");
        throw err;
      }
    },
  });
}

function cookieValue({ header, name }: { header: string | undefined; name: string }): string | null {
  for (const part of (header ?? "").split(";")) {
    const separator = part.indexOf("=");
    if (separator > 0 && part.slice(0, separator).trim() === name) return decodeURIComponent(part.slice(separator + 1).trim());
  }
  return null;
}

/**
 * A SAML sign-in's last step: the one-time ticket the ACS issued, redeemed in the browser that began the sign-in
 * (its cookie), becomes our user through the shared sign-in policy, so the session is next-auth's own.
 */
function samlProvider(e: Env): Provider {
  return CredentialsProvider({
    id: SAML_PROVIDER_ID,
    name: "SAML single sign-on",
    credentials: { ticket: { label: "Ticket", type: "text" } },
    async authorize(credentials, req) {
      const db = await getDb();
      const cookie = req.headers?.cookie as string | undefined;
      try {
        const { connectionId, identity } = await samlService.redeemTicket({ db, ticket: credentials?.ticket ?? "", browserToken: cookieValue({ header: cookie, name: SAML_BROWSER_COOKIE }) });
        const user = await ssoService.signIn({ db, connectionId, identity, instanceAdmins: e.INSTANCE_ADMINS });
        return { id: user.id, email: user.email, name: user.name, ssoConnectionId: connectionId };
      } catch (err) {
        // next-auth hands the message to the sign-in page as its error code: the refusal's code, never free text.
        const details = err instanceof ServiceError ? (err.details as { refusal?: string; samlError?: string } | undefined) : undefined;
        const code = details?.refusal ?? details?.samlError ?? (err instanceof ServiceError && err.code === "FORBIDDEN" ? "AccountDisabled" : undefined);
        if (code) throw new Error(code);
        throw err;
      }
    },
  });
}

function domainAllowed({ email, allowed }: { email: string; allowed: string[] }): boolean {
  if (allowed.length === 0) return true;
  const domain = email.split("@")[1]?.toLowerCase() ?? "";
  return allowed.includes(domain);
}

/** A workspace connection's sign-in: our user for the identity its provider asserted, or the sign-in page's refusal. */
async function ssoSignIn({
  connectionId,
  account,
  user,
  profile,
  instanceAdmins,
}: {
  connectionId: string;
  account: Account;
  user: User;
  profile: SsoProfile;
  instanceAdmins: string[];
}): Promise<true | string> {
  try {
    const ours = await ssoService.signIn({
      db: await getDb(),
      connectionId,
      identity: { subject: account.providerAccountId, email: profile.email ?? "", emailVerified: profile.email_verified === true || profile.email_verified === "true", name: user.name },
      instanceAdmins,
    });
    // next-auth makes the session token from this same object next: it must carry our user, not the provider's subject.
    user.id = ours.id;
    user.email = ours.email;
    user.name = ours.name;
    return true;
  } catch (err) {
    const refusal = err instanceof ServiceError ? (err.details as { refusal?: string } | undefined)?.refusal : undefined;
    if (refusal) return `/signin?error=${refusal}`;
    if (err instanceof ServiceError && err.code === "FORBIDDEN") return "/signin?error=AccountDisabled";
    throw err;
  }
}

/**
 * The instance's sign-in. `extraProviders` are the workspace connections' providers the auth route builds for the
 * request at hand; reading a session needs none.
 */
export function authOptions(extraProviders: Provider[] = []): NextAuthOptions {
  const e = env();
  // SAML connections live in the database; their sign-ins all end in this one provider.
  const providers: Provider[] = [...extraProviders, samlProvider(e)];
  if (oidcEnabled(e)) providers.push(oidcProvider(e));
  if (devLoginEnabled(e)) providers.push(devProvider(e));

  return {
    secret: e.NEXTAUTH_SECRET,
    session: { strategy: "jwt" },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      async signIn({ account, user, profile }) {
        const connectionId = ssoConnectionOf(account?.provider);
        if (connectionId && account) return ssoSignIn({ connectionId, account, user, profile: (profile ?? {}) as SsoProfile, instanceAdmins: e.INSTANCE_ADMINS });
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const refuse = async (error: "NoEmail" | "DomainNotAllowed" | "AccountDisabled" | typeof SSO_REQUIRED, reason: string) => {
          await userService.recordFailedSignIn({ db: await getDb(), provider: OIDC_PROVIDER_ID, email: user.email ?? null, reason });
          return `/signin?error=${error}`;
        };
        if (!user.email) return refuse("NoEmail", "the identity provider shared no email address");
        if (!domainAllowed({ email: user.email, allowed: e.OIDC_ALLOWED_DOMAINS })) return refuse("DomainNotAllowed", "the email's domain is not in OIDC_ALLOWED_DOMAINS");
        if (await ssoService.requiredConnection({ db: await getDb(), email: user.email, via: null })) {
          return refuse(SSO_REQUIRED, "the email's domain must sign in through its workspace's single sign-on");
        }
        if (!(await userService.mayTrySignIn({ db: await getDb(), provider: OIDC_PROVIDER_ID, providerAccountId: account.providerAccountId, email: user.email }))) {
          return refuse("AccountDisabled", "the account is disabled");
        }
        return true;
      },
      async jwt({ token, user, account }) {
        const connectionId = account?.provider === SAML_PROVIDER_ID ? user?.ssoConnectionId : ssoConnectionOf(account?.provider);
        if (connectionId && user) {
          // Which connection signed this session in: "require SSO" accepts only that one for its domains.
          token.uid = user.id;
          token.sso = connectionId;
        } else if (account?.provider === OIDC_PROVIDER_ID && user?.email) {
          // The provider's subject is not our user id: find or create our user for it.
          const ours = await userService.signIn({
            db: await getDb(),
            identity: { provider: OIDC_PROVIDER_ID, providerAccountId: account.providerAccountId, email: user.email, name: user.name },
            instanceAdmins: e.INSTANCE_ADMINS,
          });
          token.uid = ours.id;
          token.email = ours.email;
          token.name = ours.name;
        } else if (user) {
          token.uid = user.id;
        }
        return token;
      },
      session({ session, token }) {
        if (session.user && typeof token.uid === "string") session.user.id = token.uid;
        if (session.user) session.user.ssoConnectionId = typeof token.sso === "string" ? token.sso : null;
        return session;
      },
    },
    logger: {
      error: (code, metadata) => logger.error({ code, metadata }, "auth error"),
      warn: (code) => logger.warn({ code }, "auth warning"),
      debug: (code, metadata) => logger.debug({ code, metadata }, "auth debug"),
    },
  };
}
