import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user: DefaultSession["user"] & { id: string; ssoConnectionId?: string | null };
  }

  interface User {
    /** Set by the SAML provider: the connection the person signed in through. */
    ssoConnectionId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    /** The workspace SSO connection the session signed in through. */
    sso?: string;
  }
}
