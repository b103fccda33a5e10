// A real SAML 2.0 identity provider on loopback for the SAML sign-in tests: it publishes metadata, takes the
// service provider's AuthnRequest by the HTTP-Redirect binding, asks for an email, and posts a signed SAMLResponse
// (HTTP-POST binding) to the ACS address the request named. Tests can also make it answer wrongly: unsigned, signed
// by another key, for another audience or issuer, expired, not yet valid, or to a request never made.
import { execFileSync } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { inflateRawSync } from "node:zlib";
import { DOMParser } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";

interface KeyPair {
  privateKey: string;
  /** PEM. */
  certificate: string;
  /** Base64 DER, as metadata carries it. */
  certificateBody: string;
}

/** A fresh RSA key and a self-signed certificate for it (made with the openssl command; Node cannot issue one). */
function makeKeyPair(commonName: string): KeyPair {
  const dir = mkdtempSync(path.join(os.tmpdir(), "saml-idp-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certificate = execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-subj", `/CN=${commonName}`, "-days", "2", "-sha256"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    new X509Certificate(certificate);
    const certificateBody = certificate.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    return { privateKey: readFileSync(keyFile, "utf8"), certificate, certificateBody };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const escapeHtml = escapeXml;
const samlId = () => `_${randomBytes(20).toString("hex")}`;
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** What an AuthnRequest asked for. */
export interface AuthnRequestInfo {
  id: string;
  issuer: string;
  acsUrl: string;
  relayState: string | null;
}

/** Reads the AuthnRequest (deflated, base64) and RelayState off a redirect-binding URL. */
export function readAuthnRequest(redirectUrl: string): AuthnRequestInfo {
  const url = new URL(redirectUrl);
  const encoded = url.searchParams.get("SAMLRequest");
  if (!encoded) throw new Error("the redirect carries no SAMLRequest");
  const xml = inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8");
  const root = new DOMParser().parseFromString(xml, "text/xml").documentElement;
  if (!root || root.namespaceURI !== PROTOCOL || root.localName !== "AuthnRequest") throw new Error(`not an AuthnRequest: ${xml.slice(0, 200)}`);
  const issuer = root.getElementsByTagNameNS(ASSERTION, "Issuer")[0]?.textContent?.trim() ?? "";
  return { id: root.getAttribute("ID") ?? "", issuer, acsUrl: root.getAttribute("AssertionConsumerServiceURL") ?? "", relayState: url.searchParams.get("RelayState") };
}

/** How to answer; everything but the email defaults to a correct answer to the request. */
export interface AnswerOptions {
  email: string;
  name?: string;
  /** "assertion" (default) signs the assertion with the IdP's key; "otherKey" with a key the SP does not know. */
  sign?: "assertion" | "none" | "otherKey";
  audience?: string;
  issuer?: string;
  /** null leaves InResponseTo out. */
  inResponseTo?: string | null;
  /** Shifts every timestamp: -3_600_000 makes an answer that expired an hour ago, +3_600_000 one not valid yet. */
  shiftMs?: number;
  /** Sent back as RelayState instead of the request's own. */
  relayState?: string | null;
  /** The assertion's ID, to send one already used again inside a fresh answer. */
  assertionId?: string;
}

export interface SamlAnswer {
  acsUrl: string;
  SAMLResponse: string;
  RelayState: string | null;
  assertionId: string;
}

export interface SamlIdp {
  entityId: string;
  metadataUrl: string;
  ssoUrl: string;
  metadataXml: string;
  /** The signing certificate's base64 DER, as the metadata lists it. */
  certificate: string;
  /** Answers the AuthnRequest in a redirect URL, as the login form does after a person types an email. */
  answer(request: { redirectUrl: string } & AnswerOptions): SamlAnswer;
  close(): Promise<void>;
}

function metadata({ entityId, ssoUrl, certificateBody }: { entityId: string; ssoUrl: string; certificateBody: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${escapeXml(entityId)}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escapeXml(ssoUrl)}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escapeXml(ssoUrl)}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

function responseXml({ request, options, entityId, assertionId }: { request: AuthnRequestInfo; options: AnswerOptions; entityId: string; assertionId: string }): string {
  const now = Date.now() + (options.shiftMs ?? 0);
  const inResponseTo = options.inResponseTo === undefined ? request.id : options.inResponseTo;
  const replyTo = inResponseTo === null ? "" : ` InResponseTo="${escapeXml(inResponseTo)}"`;
  const issuer = escapeXml(options.issuer ?? entityId);
  const audience = escapeXml(options.audience ?? request.issuer);
  const acs = escapeXml(request.acsUrl);
  const email = escapeXml(options.email);
  const name = escapeXml(options.name ?? options.email.split("@")[0]!);
  return `<samlp:Response xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="${samlId()}" Version="2.0" IssueInstant="${instant(now)}" Destination="${acs}"${replyTo}>` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${instant(now)}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${email}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${replyTo} NotOnOrAfter="${instant(now + 5 * 60_000)}" Recipient="${acs}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${instant(now - 30_000)}" NotOnOrAfter="${instant(now + 5 * 60_000)}"><saml:AudienceRestriction><saml:Audience>${audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${instant(now)}" SessionIndex="${samlId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>` +
    `<saml:Attribute Name="email"><saml:AttributeValue>${email}</saml:AttributeValue></saml:Attribute>` +
    `<saml:Attribute Name="displayName"><saml:AttributeValue>${name}</saml:AttributeValue></saml:Attribute>` +
    `</saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`;
}

function signAssertion({ xml, key }: { xml: string; key: KeyPair }): string {
  const signer = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificate,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  signer.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
    transforms: ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"],
  });
  // The schema puts the signature right after the assertion's Issuer.
  signer.computeSignature(xml, { location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: "after" } });
  return signer.getSignedXml();
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family: sans-serif; max-width: 24rem; margin: 3rem auto">${body}</body></html>`;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/** Starts the identity provider on 127.0.0.1 (`port` 0 picks a free one). */
export async function startSamlIdp({ port = 0 }: { port?: number } = {}): Promise<SamlIdp> {
  const key = makeKeyPair("Streamware test SAML IdP");
  const otherKey = makeKeyPair("Someone else's IdP");
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${origin}/metadata`;
  const ssoUrl = `${origin}/sso`;
  const metadataXml = metadata({ entityId, ssoUrl, certificateBody: key.certificateBody });

  const answer: SamlIdp["answer"] = ({ redirectUrl, ...options }) => {
    const request = readAuthnRequest(redirectUrl);
    const assertionId = options.assertionId ?? samlId();
    const xml = responseXml({ request, options, entityId, assertionId });
    const sign = options.sign ?? "assertion";
    const signed = sign === "none" ? xml : signAssertion({ xml, key: sign === "otherKey" ? otherKey : key });
    return {
      acsUrl: request.acsUrl,
      SAMLResponse: Buffer.from(signed, "utf8").toString("base64"),
      RelayState: options.relayState === undefined ? request.relayState : options.relayState,
      assertionId,
    };
  };

  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", origin);
    const html = (status: number, body: string) => {
      res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(body);
    };
    (async () => {
      if (req.method === "GET" && url.pathname === "/metadata") {
        res.writeHead(200, { "content-type": "application/samlmetadata+xml" });
        res.end(metadataXml);
        return;
      }
      if (req.method === "GET" && url.pathname === "/sso") {
        const request = readAuthnRequest(url.toString());
        html(
          200,
          page(
            "Test SAML IdP: sign in",
            `<h1>Test SAML IdP</h1>
<p>Signing in to <code>${escapeHtml(request.issuer)}</code></p>
<form method="post" action="/sso">
  <input type="hidden" name="request" value="${escapeHtml(url.toString())}">
  <p><label for="email">Email</label><br><input id="email" name="email" type="email" autocomplete="off" required autofocus></p>
  <button type="submit">Sign in</button>
</form>`,
          ),
        );
        return;
      }
      if (req.method === "POST" && url.pathname === "/sso") {
        const form = await readForm(req);
        const result = answer({ redirectUrl: form.get("request") ?? "", email: form.get("email") ?? "" });
        const relay = result.RelayState === null ? "" : `<input type="hidden" name="RelayState" value="${escapeHtml(result.RelayState)}">`;
        html(
          200,
          page(
            "Test SAML IdP: returning",
            `<form method="post" action="${escapeHtml(result.acsUrl)}">
  <input type="hidden" name="SAMLResponse" value="${escapeHtml(result.SAMLResponse)}">${relay}
  <button type="submit">Continue to the service</button>
</form>
<script>document.forms[0].submit()</script>`,
          ),
        );
        return;
      }
      html(404, page("Not found", "<p>Not found</p>"));
    })().catch((err: unknown) => html(400, page("Bad request", `<p>${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`)));
  });

  return {
    entityId,
    metadataUrl: entityId,
    ssoUrl,
    metadataXml,
    certificate: key.certificateBody,
    answer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
