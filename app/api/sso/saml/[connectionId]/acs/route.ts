import { NextResponse, type NextRequest } from "next/server";
import { publicOrigin, signInErrorUrl } from "@/server/auth/saml-http";
import { getDb } from "@/server/db";
import { auditOriginOf, withAuditOrigin } from "@/server/services/audit-origin";
import { samlService } from "@/server/services/saml-service";

export const dynamic = "force-dynamic";

/** Far above any real SAMLResponse (a few kilobytes), far below what would hurt. */
const MAX_RESPONSE_CHARS = 512 * 1024;

/**
 * The assertion consumer service (HTTP-POST binding): checks the IdP's answer, then sends the browser on to redeem
 * a one-time ticket for a session, or back to the sign-in page with the reason.
 */
export async function POST(request: NextRequest, { params }: { params: Promise<{ connectionId: string }> }) {
  const { connectionId } = await params;
  const origin = publicOrigin(request);
  return withAuditOrigin(auditOriginOf(request.headers), async () => {
    try {
      const form = await request.formData();
      const samlResponse = form.get("SAMLResponse");
      const relayState = form.get("RelayState");
      const { ticket, callbackUrl } = await samlService.acceptResponse({
        db: await getDb(),
        connectionId,
        origin,
        samlResponse: typeof samlResponse === "string" ? samlResponse.slice(0, MAX_RESPONSE_CHARS) : "",
        relayState: typeof relayState === "string" ? relayState : null,
      });
      const next = new URL("/signin/saml", origin);
      next.searchParams.set("ticket", ticket);
      next.searchParams.set("callbackUrl", callbackUrl);
      return NextResponse.redirect(next, 303);
    } catch (err) {
      return NextResponse.redirect(signInErrorUrl({ origin, err }), 303);
    }
  });
}
