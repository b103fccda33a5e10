import type { NextAuthOptions } from "next-auth";
import type { Provider } from "next-auth/providers/index";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "../db";
import { devLoginEnabled, env, oidcEnabled, type Env } from "../env";
import { logger } from "../logger";
import { ServiceError } from "../services/service-error";
import { userService } from "../services/user-service";

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

export const OIDC_PROVIDER_ID = "oidc";
export const DEV_PROVIDER_ID = "dev";

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

function devProvider(): Provider {
  return CredentialsProvider({
    id: DEV_PROVIDER_ID,
    name: "Development",
    credentials: { email: { label: "Email", type: "email" } },
    async authorize(credentials) {
      const db = await getDb();
      const email = credentials?.email ?? "";
      try {
        const user = await userService.signIn({ db, identity: { provider: DEV_PROVIDER_ID, email } });
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

function domainAllowed({ email, allowed }: { email: string; allowed: string[] }): boolean {
  if (allowed.length === 0) return true;
  const domain = email.split("@")[1]?.toLowerCase() ?? "";
  return allowed.includes(domain);
}

export function authOptions(): NextAuthOptions {
  const e = env();
  const providers: Provider[] = [];
  if (oidcEnabled(e)) providers.push(oidcProvider(e));
  if (devLoginEnabled(e)) providers.push(devProvider());

  return {
    secret: e.NEXTAUTH_SECRET,
    session: { strategy: "jwt" },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      async signIn({ account, user }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const refuse = async (error: "NoEmail" | "DomainNotAllowed" | "AccountDisabled", reason: string) => {
          await userService.recordFailedSignIn({ db: await getDb(), provider: OIDC_PROVIDER_ID, email: user.email ?? null, reason });
          return `/signin?error=${error}`;
        };
        if (!user.email) return refuse("NoEmail", "the identity provider shared no email address");
        if (!domainAllowed({ email: user.email, allowed: e.OIDC_ALLOWED_DOMAINS })) return refuse("DomainNotAllowed", "the email's domain is not in OIDC_ALLOWED_DOMAINS");
        if (!(await userService.mayTrySignIn({ db: await getDb(), provider: OIDC_PROVIDER_ID, providerAccountId: account.providerAccountId, email: user.email }))) {
          return refuse("AccountDisabled", "the account is disabled");
        }
        return true;
      },
      async jwt({ token, user, account }) {
        if (account?.provider === OIDC_PROVIDER_ID && user?.email) {
          // The provider's subject is not our user id: find or create our user for it.
          const ours = await userService.signIn({
            db: await getDb(),
            identity: { provider: OIDC_PROVIDER_ID, providerAccountId: account.providerAccountId, email: user.email, name: user.name },
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
