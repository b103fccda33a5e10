import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "@/server/auth/options";
import { ssoProvider } from "@/server/auth/sso-providers";
import { getDb } from "@/server/db";
import { auditOriginOf, withAuditOrigin } from "@/server/services/audit-origin";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

async function handler(req: NextRequest, context: RouteContext) {
  // Sign-ins and refused sign-ins are audited with the address and user agent they came from.
  // A workspace's provider is built only for the requests that name it (/api/auth/signin/sso-…, its callback).
  const [, providerId] = (await context.params).nextauth;
  const provider = await ssoProvider({ db: await getDb(), providerId });
  return withAuditOrigin(auditOriginOf(req.headers), () => NextAuth(req, context, authOptions(provider ? [provider] : [])));
}

export { handler as GET, handler as POST };
