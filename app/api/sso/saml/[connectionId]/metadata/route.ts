import type { NextRequest } from "next/server";
import { publicOrigin } from "@/server/auth/saml-http";
import { getDb } from "@/server/db";
import { samlService } from "@/server/services/saml-service";
import { ServiceError } from "@/server/services/service-error";

export const dynamic = "force-dynamic";

/** Our service provider metadata (entity id, ACS address). Public: identity providers fetch it without signing in. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ connectionId: string }> }) {
  const { connectionId } = await params;
  try {
    const xml = await samlService.serviceProviderMetadata({ db: await getDb(), connectionId, origin: publicOrigin(request) });
    return new Response(xml, {
      headers: {
        "content-type": "application/samlmetadata+xml; charset=utf-8",
        "content-disposition": `attachment; filename="streamware-saml-${connectionId.replace(/[^\w-]/g, "")}.xml"`,
        "cache-control": "no-store",
      },
    });
  } catch (err) {
    if (err instanceof ServiceError) return new Response(err.message, { status: err.httpStatus, headers: { "content-type": "text/plain; charset=utf-8" } });
    throw err;
  }
}
