import { NextResponse, type NextRequest } from "next/server";
import { publicOrigin, sameSitePath, signInErrorUrl } from "@/server/auth/saml-http";
import { getDb } from "@/server/db";
import { auditOriginOf, withAuditOrigin } from "@/server/services/audit-origin";
import { SAML_BROWSER_COOKIE, SAML_REQUEST_TTL_SECONDS, samlService } from "@/server/services/saml-service";

export const dynamic = "force-dynamic";

/** Sends the browser to the workspace's identity provider with an AuthnRequest (HTTP-Redirect binding). */
export async function GET(request: NextRequest, { params }: { params: Promise<{ connectionId: string }> }) {
  const { connectionId } = await params;
  const origin = publicOrigin(request);
  return withAuditOrigin(auditOriginOf(request.headers), async () => {
    try {
      const callbackUrl = sameSitePath(request.nextUrl.searchParams.get("callbackUrl"));
      const { redirectUrl, browserToken } = await samlService.beginSignIn({ db: await getDb(), connectionId, origin, callbackUrl });
      const response = NextResponse.redirect(redirectUrl, 303);
      // Lax is enough: the cookie is read when the browser redeems its ticket on our own site, not on the IdP's POST.
      response.cookies.set(SAML_BROWSER_COOKIE, browserToken, { httpOnly: true, sameSite: "lax", secure: origin.startsWith("https:"), path: "/", maxAge: SAML_REQUEST_TTL_SECONDS });
      return response;
    } catch (err) {
      return NextResponse.redirect(signInErrorUrl({ origin, err }), 303);
    }
  });
}
