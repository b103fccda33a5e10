import type { Metadata } from "next";
import { BrandCard } from "@/app/_components/brand-card";
import { FinishSamlSignIn } from "./finish-saml-sign-in";

export const dynamic = "force-dynamic";
// The ticket in this page's address must not travel on in a Referer header.
export const metadata: Metadata = { referrer: "no-referrer", robots: { index: false } };

/** Where the SAML ACS sends the browser: the one-time ticket becomes a session here, in the browser that began the sign-in. */
export default async function SamlSignInPage({ searchParams }: { searchParams: Promise<{ ticket?: string; callbackUrl?: string }> }) {
  const { ticket, callbackUrl } = await searchParams;
  const returnTo = callbackUrl?.startsWith("/") && !callbackUrl.startsWith("//") && !callbackUrl.startsWith("/\\") ? callbackUrl : "/";
  return (
    <BrandCard>
      <FinishSamlSignIn ticket={ticket ?? ""} callbackUrl={returnTo} />
    </BrandCard>
  );
}
