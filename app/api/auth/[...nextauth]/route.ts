import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "@/server/auth/options";
import { auditOriginOf, withAuditOrigin } from "@/server/services/audit-origin";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

async function handler(req: NextRequest, context: RouteContext) {
  // Sign-ins and refused sign-ins are audited with the address and user agent they came from.
  return withAuditOrigin(auditOriginOf(req.headers), () => NextAuth(req, context, authOptions()));
}

export { handler as GET, handler as POST };
