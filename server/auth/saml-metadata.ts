import { X509Certificate } from "node:crypto";
import { onFirstUse } from "../../nodes/_core/on-first-use";
import type { HttpClient } from "../../nodes/_kit/context";
import { ServiceError } from "../services/service-error";

/** What Streamware needs from an identity provider's SAML metadata. */
export interface IdpMetadata {
  entityId: string;
  /** Where AuthnRequests are sent with the HTTP-Redirect binding. */
  ssoUrl: string;
  /** Signing certificates as base64 DER (PEM bodies without the armour); assertions must be signed by one of them. */
  certificates: string[];
}

/** Metadata documents of a single IdP are a few kilobytes; federation aggregates are not what this reads. */
export const MAX_METADATA_BYTES = 512 * 1024;
const FETCH_TIMEOUT_MS = 10_000;

const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS = "http://www.w3.org/2000/09/xmldsig#";
const REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

function refuse(message: string): never {
  throw new ServiceError({ code: "BAD_REQUEST", message });
}

function children(parent: Element, { ns, name }: { ns: string; name: string }): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as Element).namespaceURI === ns && (node as Element).localName === name) found.push(node as Element);
  }
  return found;
}

// The XML parser is loaded by the first metadata read, as the rest of SAML is.
const xmldom = onFirstUse(() => import("@xmldom/xmldom"));

async function parseXml(xml: string): Promise<Document> {
  const { DOMParser } = await xmldom.get();
  const problems: string[] = [];
  const report = (message: string) => problems.push(message.replace(/^\[xmldom [a-z]+\]\t?/i, "").split("\n")[0]!.trim());
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: report, fatalError: report } }).parseFromString(xml, "text/xml");
  if (problems.length > 0 || !doc?.documentElement) refuse(`The metadata is not valid XML: ${problems[0] ?? "no root element"}.`);
  return doc;
}

/** The one EntityDescriptor that describes an identity provider, whether it is the root or inside an EntitiesDescriptor. */
function idpEntity(root: Element): { entity: Element; idp: Element } {
  let entities: Element[];
  if (root.namespaceURI === MD && root.localName === "EntityDescriptor") entities = [root];
  else if (root.namespaceURI === MD && root.localName === "EntitiesDescriptor") entities = children(root, { ns: MD, name: "EntityDescriptor" });
  else refuse(`The metadata's root element is <${root.tagName}>, not a SAML 2.0 <EntityDescriptor>. Paste the identity provider's SAML metadata.`);
  const idps = entities.flatMap((entity) => children(entity, { ns: MD, name: "IDPSSODescriptor" }).map((idp) => ({ entity, idp })));
  if (idps.length === 0) refuse("The metadata describes no identity provider (it has no <IDPSSODescriptor>). Is it a service provider's metadata?");
  if (idps.length > 1) refuse(`The metadata describes ${idps.length} identity providers; use the metadata of the one this workspace signs in with.`);
  return idps[0]!;
}

function signingCertificates(idp: Element): string[] {
  const certificates: string[] = [];
  for (const key of children(idp, { ns: MD, name: "KeyDescriptor" })) {
    // A key without "use" serves both signing and encryption.
    const use = key.getAttribute("use");
    if (use && use !== "signing") continue;
    for (const cert of Array.from(key.getElementsByTagNameNS(DS, "X509Certificate"))) {
      const body = (cert.textContent ?? "").replace(/\s+/g, "");
      if (!body) continue;
      try {
        new X509Certificate(Buffer.from(body, "base64"));
      } catch {
        refuse(`Signing certificate ${certificates.length + 1} in the metadata is not a valid X.509 certificate.`);
      }
      if (!certificates.includes(body)) certificates.push(body);
    }
  }
  if (certificates.length === 0) refuse("The metadata lists no signing certificate for the identity provider; Streamware only accepts signed assertions.");
  return certificates;
}

function redirectSsoUrl(idp: Element): string {
  const services = children(idp, { ns: MD, name: "SingleSignOnService" });
  const location = services.find((service) => service.getAttribute("Binding") === REDIRECT_BINDING)?.getAttribute("Location")?.trim();
  if (!location) {
    refuse(
      services.length === 0
        ? "The metadata gives no single sign-on address (<SingleSignOnService>) for the identity provider."
        : "The identity provider offers no single sign-on address with the HTTP-Redirect binding, which Streamware sends its requests by.",
    );
  }
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    refuse(`The identity provider's single sign-on address "${location.slice(0, 200)}" is not a URL.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") refuse(`The identity provider's single sign-on address must be an http(s) URL, not "${url.protocol}".`);
  return url.toString();
}

/** Reads an identity provider's entity id, redirect sign-on address and signing certificates from its SAML metadata. */
export async function readIdpMetadata(xml: string): Promise<IdpMetadata> {
  const text = xml.replace(/^\uFEFF/, "").trim();
  if (!text) refuse("The metadata is empty. Paste the identity provider's SAML metadata XML, or give its metadata URL.");
  if (Buffer.byteLength(text) > MAX_METADATA_BYTES) refuse(`The metadata is larger than ${MAX_METADATA_BYTES / 1024} KB; use the metadata of the one identity provider this workspace signs in with.`);
  const { entity, idp } = idpEntity((await parseXml(text)).documentElement!);
  const entityId = entity.getAttribute("entityID")?.trim();
  if (!entityId) refuse("The identity provider's <EntityDescriptor> has no entityID.");
  return { entityId, ssoUrl: redirectSsoUrl(idp), certificates: signingCertificates(idp) };
}

/** Fetches metadata from the identity provider's URL through the SSRF-safe client, then reads it. */
export async function fetchIdpMetadata({ url, http }: { url: string; http: HttpClient }): Promise<{ xml: string; metadata: IdpMetadata }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    refuse(`The metadata URL "${url.slice(0, 200)}" is not a URL.`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") refuse("The metadata URL must start with https:// (or http://).");
  let response;
  try {
    response = await http.request({ url: parsed.toString(), headers: { accept: "application/samlmetadata+xml, application/xml, text/xml" }, maxResponseBytes: MAX_METADATA_BYTES, timeoutMs: FETCH_TIMEOUT_MS, followRedirects: true });
  } catch (err) {
    refuse(`Could not fetch the metadata from ${parsed.origin}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (response.status < 200 || response.status >= 300) refuse(`The metadata URL answered HTTP ${response.status}; check the address with your identity provider.`);
  const xml = response.body.toString("utf8");
  return { xml, metadata: await readIdpMetadata(xml) };
}
