import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/session";
import { samlErrorMessages } from "@/server/auth/saml-errors";
import { getDb } from "@/server/db";
import { devLoginEnabled, env, oidcEnabled } from "@/server/env";
import { ssoService } from "@/server/services/sso-service";
import { AddressCheck } from "./address-check";
import { SignInForm } from "./sign-in-form";
import { BrandCard } from "@/app/_components/brand-card";
import { ErrorAlert } from "@/app/_components/error-alert";

export const dynamic = "force-dynamic";

const errorMessages: Record<string, string> = {
  DomainNotAllowed: "Your email domain is not allowed to sign in here. Ask an administrator to add it to OIDC_ALLOWED_DOMAINS.",
  AccountDisabled: "This account is disabled. Ask an administrator of this Streamware instance to enable it.",
  NoEmail: "Your identity provider did not share an email address. Allow the email scope for this client.",
  CredentialsSignin: "That email could not be used for the development sign-in.",
  OAuthSignin: "Could not reach the identity provider. Check OIDC_ISSUER and try again.",
  OAuthCallback: "The identity provider's answer could not be verified. Try again.",
  Callback: "Signing you in failed on our side. Try again; if it persists, check the server log.",
  NoWorkspace: "You do not belong to any workspace. Ask an owner to add you.",
  SsoRequired: "Your organisation requires its single sign-on for your email address. Enter your work email and choose Continue with SSO.",
  SsoDisabled: "Your workspace's single sign-on is turned off. Ask its administrator, or sign in another way.",
  SsoEmailUnverified: "Your identity provider did not confirm your email address, so it cannot sign you in here. Ask your administrator to verify it at the provider.",
  SsoDomainNotClaimed: "Your identity provider vouched for an email address whose domain this workspace's single sign-on does not accept. Use the email of your organisation.",
  SsoDomainUnverified:
    "No administrator of this Streamware instance has verified your email's domain for this workspace yet, so its single sign-on cannot sign you in. Ask an instance administrator to verify the domain, or sign in another way.",
  SsoNotMember: "You are not a member of this workspace, and it does not add people when they first sign in. Ask one of its admins to invite you.",
  ...samlErrorMessages,
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  // Only same-site paths are followed after sign-in.
  const returnTo = callbackUrl?.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/";
  if (await currentUser()) redirect(returnTo);
  const e = env();
  const sso = oidcEnabled(e) ? { name: e.OIDC_NAME } : null;
  const dev = devLoginEnabled(e);
  const workspaceSso = await ssoService.anyEnabled({ db: await getDb() });
  const message = error ? (errorMessages[error] ?? "Sign-in failed. Try again.") : null;
  // Unset by default: next-auth then builds its redirects from the address each request came by.
  const configured = e.NEXTAUTH_URL ? new URL(e.NEXTAUTH_URL).origin : null;

  return (
    <BrandCard>
        <h1 className="text-xl font-semibold">Sign in to Streamware</h1>
        {configured && <AddressCheck configured={configured} />}
        {message && (
          <ErrorAlert>{message}</ErrorAlert>
        )}
        <SignInForm sso={sso} workspaceSso={workspaceSso} dev={dev} callbackUrl={returnTo} />
        {!sso && !dev && !workspaceSso && (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            No sign-in method is configured. Set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or DEV_LOGIN=true.
          </p>
        )}
    </BrandCard>
  );
}
