import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient, type SafeHttpClient } from "../../runner/http-client";
import { startSamlIdp, type SamlIdp } from "../../e2e/support/saml-idp";
import { fetchIdpMetadata, MAX_METADATA_BYTES, readIdpMetadata } from "./saml-metadata";

let idp: SamlIdp;
let other: http.Server;
let otherOrigin: string;
let loopback: SafeHttpClient;
let guarded: SafeHttpClient;

beforeAll(async () => {
  idp = await startSamlIdp();
  other = http.createServer((req, res) => {
    if (req.url === "/huge") {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${"<!-- padding -->".repeat(MAX_METADATA_BYTES / 10)}</md:EntityDescriptor>`);
      return;
    }
    res.writeHead(404).end("no such metadata");
  });
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", () => resolve()));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  loopback = createHttpClient({ allow: ["127.0.0.1"] });
  guarded = createHttpClient();
});

afterAll(async () => {
  await Promise.all([idp?.close(), loopback?.close(), guarded?.close(), other && new Promise((resolve) => other.close(resolve))]);
});

const md = (inner: string, entity = `entityID="https://idp.example.test/saml"`) =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ${entity}>${inner}</md:EntityDescriptor>`;

describe("readIdpMetadata", () => {
  it("reads the entity id, the redirect sign-on address and the signing certificate", async () => {
    expect(await readIdpMetadata(idp.metadataXml)).toEqual({ entityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.certificate] });
  });

  it("finds the identity provider inside an EntitiesDescriptor and skips encryption-only keys", async () => {
    const idpPart = idp.metadataXml.replace(/^<\?xml[^>]*>\s*/, "");
    const encryptionOnly = `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>bm90IGEgY2VydA==</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    const wrapped = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${md("<md:SPSSODescriptor/>", `entityID="https://sp.example.test"`)}${idpPart.replace("<md:IDPSSODescriptor", `<md:IDPSSODescriptor`).replace("</md:IDPSSODescriptor>", `${encryptionOnly}</md:IDPSSODescriptor>`)}</md:EntitiesDescriptor>`;
    expect(await readIdpMetadata(wrapped)).toEqual({ entityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.certificate] });
  });

  it.each([
    ["", /metadata is empty/],
    ["<md:EntityDescriptor", /not valid XML/],
    ["<html><body>Sign in</body></html>", /root element is <html>, not a SAML 2\.0 <EntityDescriptor>/],
    [md("<md:SPSSODescriptor/>"), /no identity provider .*service provider's metadata/],
    [md("<md:IDPSSODescriptor/>", ""), /has no entityID/],
    [md("<md:IDPSSODescriptor/>"), /no single sign-on address/],
    [md(`<md:IDPSSODescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/sso"/></md:IDPSSODescriptor>`), /no single sign-on address with the HTTP-Redirect binding/],
    [md(`<md:IDPSSODescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/></md:IDPSSODescriptor>`), /no signing certificate/],
    [
      md(`<md:IDPSSODescriptor><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>bm90IGEgY2VydA==</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/></md:IDPSSODescriptor>`),
      /Signing certificate 1 .* not a valid X\.509 certificate/,
    ],
    [`${md("<md:IDPSSODescriptor/>")}${" ".repeat(MAX_METADATA_BYTES)}x`, /larger than 512 KB/],
  ])("refuses %#: says what is missing or wrong", async (xml, message) => {
    await expect(readIdpMetadata(xml)).rejects.toThrow(message);
  });

  it("does not expand external entities", async () => {
    const xxe = `<!DOCTYPE md [<!ENTITY leak SYSTEM "file:///etc/passwd">]>${md(`<md:IDPSSODescriptor/>`, `entityID="&leak;"`)}`;
    await expect(readIdpMetadata(xxe)).rejects.toThrow(/entityID|single sign-on|not valid XML/);
  });
});

describe("fetchIdpMetadata", () => {
  it("fetches and reads the identity provider's metadata URL", async () => {
    const { xml, metadata } = await fetchIdpMetadata({ url: idp.metadataUrl, http: loopback });
    expect(xml).toBe(idp.metadataXml);
    expect(metadata.entityId).toBe(idp.entityId);
  });

  it("goes through the SSRF-safe client: loopback is refused unless allowed", async () => {
    await expect(fetchIdpMetadata({ url: idp.metadataUrl, http: guarded })).rejects.toThrow(/Could not fetch the metadata from http:\/\/127\.0\.0\.1:\d+: .*(loopback|not allowed|refused)/i);
  });

  it("says which HTTP status the URL answered", async () => {
    await expect(fetchIdpMetadata({ url: `${otherOrigin}/missing`, http: loopback })).rejects.toThrow("The metadata URL answered HTTP 404");
  });

  it("stops reading a body larger than metadata may be", async () => {
    await expect(fetchIdpMetadata({ url: `${otherOrigin}/huge`, http: loopback })).rejects.toThrow(/Could not fetch the metadata/);
  });

  it("refuses what is not an http(s) URL", async () => {
    await expect(fetchIdpMetadata({ url: "file:///etc/passwd", http: loopback })).rejects.toThrow("must start with https://");
    await expect(fetchIdpMetadata({ url: "idp metadata", http: loopback })).rejects.toThrow("is not a URL");
  });
});
