// Proves the test SAML identity provider on its own, so a failing SAML journey points at the app, not at it.
import { deflateRawSync } from "node:zlib";
import { SignedXml } from "xml-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAuthnRequest, startSamlIdp, type SamlIdp } from "./saml-idp";

let idp: SamlIdp;
const acsUrl = "http://localhost:39998/api/sso/saml/c1/acs";

beforeAll(async () => {
  idp = await startSamlIdp();
});

afterAll(async () => {
  await idp?.close();
});

function redirectUrl(): string {
  const request = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_req1" Version="2.0" IssueInstant="${new Date().toISOString()}" AssertionConsumerServiceURL="${acsUrl}"><saml:Issuer>http://localhost:39998/sp</saml:Issuer></samlp:AuthnRequest>`;
  const url = new URL(idp.ssoUrl);
  url.searchParams.set("SAMLRequest", deflateRawSync(request).toString("base64"));
  url.searchParams.set("RelayState", "relay-1");
  return url.toString();
}

const decode = (samlResponse: string) => Buffer.from(samlResponse, "base64").toString("utf8");

function signatureValid({ xml, certificate }: { xml: string; certificate: string }): boolean {
  const verifier = new SignedXml({ publicCert: `-----BEGIN CERTIFICATE-----\n${certificate.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----` });
  const signature = /<(ds:)?Signature[\s>][\s\S]*?<\/(ds:)?Signature>/.exec(xml)?.[0];
  if (!signature) return false;
  verifier.loadSignature(signature);
  try {
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}

describe("test SAML IdP", () => {
  it("publishes its metadata", async () => {
    const response = await fetch(idp.metadataUrl);
    expect(response.status).toBe(200);
    const xml = await response.text();
    expect(xml).toBe(idp.metadataXml);
    expect(xml).toContain(`entityID="${idp.entityId}"`);
    expect(xml).toContain(idp.certificate);
  });

  it("reads the redirect-binding AuthnRequest", () => {
    expect(readAuthnRequest(redirectUrl())).toEqual({ id: "_req1", issuer: "http://localhost:39998/sp", acsUrl, relayState: "relay-1" });
  });

  it("shows a login form, then posts a signed answer to the ACS address with the RelayState", async () => {
    const form = await fetch(redirectUrl());
    expect(await form.text()).toContain(`<label for="email">Email</label>`);
    const posted = await fetch(idp.ssoUrl, { method: "POST", body: new URLSearchParams({ request: redirectUrl(), email: "grace@example.test" }) });
    const page = await posted.text();
    expect(page).toContain(`action="${acsUrl}"`);
    expect(page).toContain(`name="RelayState" value="relay-1"`);
    const samlResponse = /name="SAMLResponse" value="([^"]+)"/.exec(page)![1]!;
    const xml = decode(samlResponse);
    expect(xml).toContain(`InResponseTo="_req1"`);
    expect(xml).toContain("<saml:Audience>http://localhost:39998/sp</saml:Audience>");
    expect(signatureValid({ xml, certificate: idp.certificate })).toBe(true);
  });

  it("answers wrongly when asked to", () => {
    const unsigned = decode(idp.answer({ redirectUrl: redirectUrl(), email: "a@example.test", sign: "none" }).SAMLResponse);
    expect(unsigned).not.toContain("SignatureValue");
    const forged = decode(idp.answer({ redirectUrl: redirectUrl(), email: "a@example.test", sign: "otherKey" }).SAMLResponse);
    expect(signatureValid({ xml: forged, certificate: idp.certificate })).toBe(false);
    const odd = decode(idp.answer({ redirectUrl: redirectUrl(), email: "a@example.test", audience: "elsewhere", inResponseTo: null, shiftMs: -3_600_000 }).SAMLResponse);
    expect(odd).toContain("<saml:Audience>elsewhere</saml:Audience>");
    expect(odd).not.toContain("InResponseTo");
    const notOnOrAfter = Date.parse(/Conditions NotBefore="[^"]+" NotOnOrAfter="([^"]+)"/.exec(odd)![1]!);
    expect(notOnOrAfter).toBeLessThan(Date.now());
  });
});
