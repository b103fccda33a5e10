import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type OidcProviderHandle } from "../../e2e/support/oidc-provider";
import { startSamlIdp, type SamlIdp } from "../../e2e/support/saml-idp";
import { createHttpClient } from "../../runner/http-client";
import { createContextInner } from "../context";
import { useTestDatabase } from "../db/test-databases";
import { createCallerFactory } from "../trpc";
import { appRouter } from "./_app";
import { anonymousCaller, rejection, secretBox, signInAs } from "./test-helpers";

describe("sso router", () => {
  const database = useTestDatabase("postgres");
  let idp: OidcProviderHandle;
  beforeAll(async () => {
    idp = await startOidcProvider({ port: 0, appOrigins: ["http://localhost:39997"], emailDomain: "routed.test" });
  });
  afterAll(() => idp?.close());

  it("saves through the workspace gate and routes an email of a claimed domain to its provider", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Router" });
    const caller = createCallerFactory(appRouter)(createContextInner({ db, user: owner.user, secretBox, connectionTestHttp: () => createHttpClient({ allow: ["127.0.0.1"] }) }));
    const workspaceId = owner.workspace.id;
    const settings = { protocol: "oidc" as const, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, domains: ["routed.test"], defaultRole: "viewer" as const, jitProvisioning: true, requireSso: false, enabled: true };

    const ownerRole = await rejection(caller.sso.save({ workspaceId, settings: { ...settings, defaultRole: "owner" as never } }));
    expect(ownerRole.code).toBe("BAD_REQUEST");
    expect(ownerRole.message).toContain("Choose the role new members get");

    const saved = await caller.sso.save({ workspaceId, settings });
    expect(await caller.sso.get({ workspaceId })).toEqual(saved);
    expect(JSON.stringify(saved)).not.toContain(idp.clientSecret);

    const anonymous = anonymousCaller(db);
    expect(await anonymous.sso.route({ email: "Someone@Routed.test" })).toEqual({ protocol: "oidc", providerId: `sso-${saved.id}` });
    const unknown = await rejection(anonymous.sso.route({ email: "someone@unclaimed.test" }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toContain("No workspace here signs in people from unclaimed.test");

    await caller.sso.save({ workspaceId, settings: { ...settings, clientSecret: "", enabled: false } });
    expect((await rejection(anonymous.sso.route({ email: "someone@routed.test" }))).code).toBe("NOT_FOUND");
    await caller.sso.delete({ workspaceId });
    expect(await caller.sso.get({ workspaceId })).toBeNull();
  });

  it("saves a SAML connection from the IdP's metadata URL or pasted XML, and routes its domain to the SAML login", async () => {
    const { db } = database;
    const saml: SamlIdp = await startSamlIdp();
    try {
      const owner = await signInAs({ db, name: "Samler" });
      const caller = createCallerFactory(appRouter)(createContextInner({ db, user: owner.user, secretBox, connectionTestHttp: () => createHttpClient({ allow: ["127.0.0.1"] }) }));
      const workspaceId = owner.workspace.id;
      const shared = { domains: ["saml-routed.test"], defaultRole: "viewer" as const, jitProvisioning: true, requireSso: false, enabled: true };

      const neither = await rejection(caller.sso.save({ workspaceId, settings: { protocol: "saml", ...shared } }));
      expect(neither.message).toBe("Enter the identity provider's metadata URL, or paste its metadata XML.");
      const broken = await rejection(caller.sso.save({ workspaceId, settings: { protocol: "saml", metadataXml: "<md:EntityDescriptor", ...shared } }));
      expect(broken.code).toBe("BAD_REQUEST");
      expect(broken.message).toMatch(/^The metadata is not valid XML/);
      expect((broken.cause as { details?: unknown }).details).toEqual({ field: "metadataXml" });

      const saved = await caller.sso.save({ workspaceId, settings: { protocol: "saml", metadataUrl: saml.metadataUrl, ...shared } });
      expect(saved.saml).toEqual({ metadataUrl: saml.metadataUrl, idpEntityId: saml.entityId, idpSsoUrl: saml.ssoUrl, certificateCount: 1 });
      expect(await anonymousCaller(db).sso.route({ email: "ada@saml-routed.test" })).toEqual({ protocol: "saml", url: `/api/sso/saml/${saved.id}/login` });

      const pasted = await caller.sso.save({ workspaceId, settings: { protocol: "saml", metadataXml: saml.metadataXml, ...shared } });
      expect(pasted.saml).toEqual({ metadataUrl: null, idpEntityId: saml.entityId, idpSsoUrl: saml.ssoUrl, certificateCount: 1 });
      // An edit that gives no metadata keeps the identity provider stored.
      const kept = await caller.sso.save({ workspaceId, settings: { protocol: "saml", ...shared, defaultRole: "editor" } });
      expect(kept).toMatchObject({ defaultRole: "editor", saml: pasted.saml });
      await caller.sso.delete({ workspaceId });
    } finally {
      await saml.close();
    }
  });
});
