// The ACS rules, against a real SAML identity provider: every answer here is real signed (or deliberately broken) XML.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSamlIdp, type AnswerOptions, type SamlIdp } from "../../e2e/support/saml-idp";
import { createHttpClient } from "../../runner/http-client";
import { useTestDatabase } from "../db/test-databases";
import { samlService, samlServiceProvider } from "./saml-service";
import { ssoService } from "./sso-service";
import { userService } from "./user-service";
import { workspaceService } from "./workspace-service";

const origin = "http://localhost:3999";
let idp: SamlIdp;

beforeAll(async () => {
  idp = await startSamlIdp();
});

afterAll(async () => {
  await idp?.close();
});

describe("SAML sign-in", () => {
  const database = useTestDatabase("postgres");
  let connectionId: string;

  beforeAll(async () => {
    const { db } = database;
    const admin = await userService.signIn({ db, identity: { provider: "dev", email: "admin@saml.example.test" } });
    const [workspace] = await workspaceService.listForUser({ db, userId: admin.id });
    const http = createHttpClient({ allow: ["127.0.0.1"] });
    const saved = await samlService.save({
      db,
      http,
      actor: admin,
      workspaceId: workspace!.id,
      settings: { metadataUrl: idp.metadataUrl, domains: ["saml.example.test"], defaultRole: "editor", jitProvisioning: true, requireSso: false, enabled: true },
    });
    await http.close();
    expect(saved).toMatchObject({ protocol: "saml", domains: ["saml.example.test"], saml: { metadataUrl: idp.metadataUrl, idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl, certificateCount: 1 } });
    connectionId = saved.id;
  });

  async function begin() {
    return samlService.beginSignIn({ db: database.db, connectionId, origin, callbackUrl: "/w/somewhere" });
  }

  async function post(answer: { SAMLResponse: string; RelayState: string | null }) {
    return samlService.acceptResponse({ db: database.db, connectionId, origin, samlResponse: answer.SAMLResponse, relayState: answer.RelayState });
  }

  async function signInWith(options: Omit<AnswerOptions, "email"> = {}) {
    const { redirectUrl, browserToken } = await begin();
    const answer = idp.answer({ redirectUrl, email: "ada@saml.example.test", name: "Ada Lovelace", ...options });
    return { answer, browserToken, result: post(answer) };
  }

  it("sends an AuthnRequest to the IdP's redirect address, from our entity id, for our ACS", async () => {
    const { redirectUrl } = await begin();
    const sp = samlServiceProvider({ origin, connectionId });
    expect(redirectUrl.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    const { readAuthnRequest } = await import("../../e2e/support/saml-idp");
    expect(readAuthnRequest(redirectUrl)).toMatchObject({ issuer: sp.entityId, acsUrl: sp.acsUrl });
  });

  it("accepts a signed answer to its own request, and the ticket signs in the browser that began it, once", async () => {
    const { result, browserToken } = await signInWith();
    const { ticket, callbackUrl } = await result;
    expect(callbackUrl).toBe("/w/somewhere");
    await expect(samlService.redeemTicket({ db: database.db, ticket, browserToken: "another-browser" })).rejects.toThrow("begun in another browser");
    const { ticket: second, browserToken: token2 } = await (async () => {
      const again = await signInWith();
      return { ticket: (await again.result).ticket, browserToken: again.browserToken };
    })();
    const redeemed = await samlService.redeemTicket({ db: database.db, ticket: second, browserToken: token2 });
    expect(redeemed).toEqual({
      connectionId,
      callbackUrl: "/w/somewhere",
      identity: { subject: "ada@saml.example.test", email: "ada@saml.example.test", emailVerified: true, name: "Ada Lovelace" },
    });
    await expect(samlService.redeemTicket({ db: database.db, ticket: second, browserToken: token2 })).rejects.toThrow("already used or has expired");
    // The shared sign-in policy takes it from there: the domain is claimed by this workspace, which adds Ada.
    const ada = await ssoService.signIn({ db: database.db, connectionId, identity: redeemed.identity });
    const membership = await database.db.membership.findUnique({ where: { workspaceId_userId: { workspaceId: ada.workspaceId, userId: ada.id } }, select: { role: true } });
    expect(membership).toEqual({ role: "editor" });
    // The first ticket was spent by the wrong browser's attempt.
    await expect(samlService.redeemTicket({ db: database.db, ticket, browserToken })).rejects.toThrow("already used or has expired");
  });

  it.each<[string, Omit<AnswerOptions, "email">, RegExp]>([
    ["an unsigned assertion", { sign: "none" }, /not signed with the certificate/],
    ["an assertion signed by another key", { sign: "otherKey" }, /not signed with the certificate/],
    ["another audience", { audience: "https://other-sp.example.test" }, /meant for another service/],
    ["another issuer", { issuer: "https://impostor.example.test" }, /came from another identity provider/],
    ["an expired assertion", { shiftMs: -60 * 60_000 }, /expired or is not valid yet/],
    ["an assertion not valid yet", { shiftMs: 60 * 60_000 }, /expired or is not valid yet/],
    ["no InResponseTo", { inResponseTo: null }, /does not reply to a sign-in that began here/],
    ["an InResponseTo we never sent", { inResponseTo: "_never-sent" }, /does not reply to a sign-in that began here/],
    ["another RelayState", { relayState: "forged" }, /does not belong to the sign-in this browser began/],
    ["no RelayState", { relayState: null }, /does not belong to the sign-in this browser began/],
  ])("refuses %s, and audits the refusal", async (_what, options, message) => {
    const before = await database.db.auditEvent.count({ where: { action: "sso.signInFailed" } });
    const { result } = await signInWith(options);
    await expect(result).rejects.toThrow(message);
    expect(await database.db.auditEvent.count({ where: { action: "sso.signInFailed" } })).toBe(before + 1);
  });

  it("refuses an answer replayed after it was used", async () => {
    const { answer, result } = await signInWith();
    await result;
    await expect(post(answer)).rejects.toThrow(/already used|does not reply to a sign-in that began here/);
  });

  it("accepts an answer posted twice at once only once", async () => {
    const { redirectUrl } = await begin();
    const answer = idp.answer({ redirectUrl, email: "ada@saml.example.test" });
    const outcomes = await Promise.allSettled([post(answer), post(answer), post(answer)]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
  });

  it("remembers a used assertion until it expires, and refuses it inside an answer to another request", async () => {
    const { redirectUrl: first } = await begin();
    const used = idp.answer({ redirectUrl: first, email: "ada@saml.example.test" });
    await post(used);
    const stored = await database.db.samlAssertionUse.findUnique({ where: { connectionId_assertionId: { connectionId, assertionId: used.assertionId } }, select: { expiresAt: true } });
    expect(stored!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const { redirectUrl: second } = await begin();
    await expect(post(idp.answer({ redirectUrl: second, email: "ada@saml.example.test", assertionId: used.assertionId }))).rejects.toThrow("This sign-in answer was already used");
  });

  it("refuses a SAMLResponse that is not a SAML answer to one of its requests", async () => {
    await begin();
    await expect(post({ SAMLResponse: Buffer.from("<html/>").toString("base64"), RelayState: "x" })).rejects.toThrow(/does not reply to a sign-in that began here/);
    await expect(post({ SAMLResponse: "not base64 xml at all", RelayState: "x" })).rejects.toThrow(/could not be read as SAML/);
  });

  it("publishes our service provider metadata with the entity id and ACS address", async () => {
    const xml = await samlService.serviceProviderMetadata({ db: database.db, connectionId, origin });
    const sp = samlServiceProvider({ origin, connectionId });
    expect(xml).toContain(`entityID="${sp.entityId}"`);
    expect(xml).toContain(`Location="${sp.acsUrl}"`);
    expect(xml).toContain(`WantAssertionsSigned="true"`);
    await expect(samlService.serviceProviderMetadata({ db: database.db, connectionId: "nope", origin })).rejects.toThrow("no SAML connection");
  });
});
