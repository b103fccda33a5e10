import { z } from "zod";

const workspaceId = z.string().min(1).max(64);

/** What a connection does with the people it signs in, whichever protocol it speaks. */
const settings = {
  domains: z.array(z.string().max(253, "A domain has at most 253 characters")).max(50, "Claim at most 50 domains"),
  defaultRole: z.enum(["admin", "editor", "operator", "viewer"], { error: "Choose the role new members get: admin, editor, operator or viewer" }),
  jitProvisioning: z.boolean(),
  requireSso: z.boolean(),
  enabled: z.boolean(),
};

export const oidcSettingsInput = z.object({
  protocol: z.literal("oidc"),
  issuer: z.string().trim().min(1, "Enter the issuer's address, such as https://login.example.com").max(500, "The issuer's address has at most 500 characters"),
  clientId: z.string().trim().min(1, "Enter the client id the identity provider gave you").max(300, "The client id has at most 300 characters"),
  /** Blank keeps the stored secret. */
  clientSecret: z.string().max(2000, "The client secret has at most 2000 characters").optional(),
  ...settings,
});

/** The identity provider by its metadata URL (fetched by the server) or its metadata XML pasted; one of the two. */
export const samlSettingsInput = z.object({
  protocol: z.literal("saml"),
  metadataUrl: z.string().trim().max(2000, "The metadata URL has at most 2000 characters").optional(),
  metadataXml: z.string().max(512 * 1024, "The metadata XML is larger than 512 KB; use the metadata of the one identity provider this workspace signs in with").optional(),
  ...settings,
});

/** One save for both protocols, told apart by `protocol`. */
export const saveInput = z.object({
  workspaceId,
  settings: z.discriminatedUnion("protocol", [oidcSettingsInput, samlSettingsInput]),
});
export const ssoRefInput = z.object({ workspaceId });
export const routeInput = z.object({ email: z.email("Enter your work email address, such as ada@example.com").max(254) });
