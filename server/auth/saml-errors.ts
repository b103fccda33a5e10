/**
 * Why a SAML sign-in was refused, as the sign-in page says it: the ACS sends the browser to `/signin?error=<code>`,
 * so only these fixed words reach the page (the audit log keeps the details).
 */
export const samlErrorMessages = {
  SamlNotFound: "This single sign-on link does not exist (any more). Use “Continue with SSO” again.",
  SamlDisabled: "Single sign-on is turned off for this workspace. Ask a workspace admin.",
  SamlNotSetUp: "This workspace's SAML identity provider is not set up yet. Ask a workspace admin to add its metadata.",
  SamlSignature: "Your identity provider's answer was not signed with the certificate in this workspace's SAML settings. Ask a workspace admin to load the IdP's metadata again.",
  SamlAudience: "Your identity provider's answer was meant for another service. Ask a workspace admin to check the entity id registered at the IdP.",
  SamlIssuer: "The answer came from another identity provider than the one in this workspace's SAML settings.",
  SamlRequest: "The answer does not reply to a sign-in that began here, or it took too long. Sign in again.",
  SamlRelayState: "The answer does not belong to the sign-in this browser began. Sign in again.",
  SamlExpired: "Your identity provider's answer has expired or is not valid yet. Sign in again; if it keeps happening, a clock is off.",
  SamlReplay: "This sign-in answer was already used. Sign in again.",
  SamlNoEmail: "Your identity provider sent no email address. Ask a workspace admin to release the email attribute to Streamware.",
  SamlIdpRefused: "Your identity provider did not sign you in.",
  SamlInvalid: "Your identity provider's answer could not be read as SAML. Sign in again.",
  SamlTicket: "This single sign-on link was already used or has expired. Sign in again.",
  SamlBrowser: "This sign-in was begun in another browser, or this browser did not keep its cookie. Sign in again from here.",
} as const;

export type SamlErrorCode = keyof typeof samlErrorMessages;

export function isSamlErrorCode(value: unknown): value is SamlErrorCode {
  return typeof value === "string" && Object.hasOwn(samlErrorMessages, value);
}
