import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { CacheProvider, Profile, SAML } from "@node-saml/node-saml";
import { onFirstUse } from "../../nodes/_core/on-first-use";
import type { HttpClient } from "../../nodes/_kit/context";
import { samlErrorMessages, type SamlErrorCode } from "../auth/saml-errors";
import { fetchIdpMetadata, readIdpMetadata, type IdpMetadata } from "../auth/saml-metadata";
import type { Db } from "../db";
import { Prisma } from "../db/generated/client";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { normalizeDomains, saveConnection, ssoService, type SsoActor, type SsoConnectionView, type SsoIdentity, type SsoSettings } from "./sso-service";

/** How long the identity provider has to answer an AuthnRequest (the person may have to type a password, or pass MFA). */
export const SAML_REQUEST_TTL_SECONDS = 10 * 60;
const REQUEST_TTL_MS = SAML_REQUEST_TTL_SECONDS * 1000;
/** How long a verified answer waits for the browser to turn it into a session: one redirect. */
const TICKET_TTL_MS = 2 * 60_000;
/** Clocks of the IdP and ours may differ this much when NotBefore and NotOnOrAfter are checked. */
const CLOCK_SKEW_MS = 60_000;
/** Longest an assertion is remembered against replay when it carries no expiry of its own. */
const ASSERTION_MEMORY_MS = 24 * 60 * 60_000;

export const SAML_PROVIDER_ID = "saml";
/** The cookie that ties a SAML sign-in to the browser that began it. */
export const SAML_BROWSER_COOKIE = "streamware.saml";

const EMAIL_ATTRIBUTES = ["email", "mail", "emailAddress", "urn:oid:0.9.2342.19200300.100.1.3", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"];
const NAME_ATTRIBUTES = ["name", "displayName", "urn:oid:2.16.840.1.113730.3.1.241", "http://schemas.microsoft.com/identity/claims/displayname", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"];

/** Our service provider's addresses for one connection, which the IdP is told about. */
export function samlServiceProvider({ origin, connectionId }: { origin: string; connectionId: string }): { entityId: string; acsUrl: string } {
  const base = `${new URL(origin).origin}/api/sso/saml/${encodeURIComponent(connectionId)}`;
  // The metadata's own address doubles as the entity id, as IdPs that import metadata by URL expect.
  return { entityId: `${base}/metadata`, acsUrl: `${base}/acs` };
}

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const token = () => randomBytes(32).toString("base64url");

function sameHash({ value, hash }: { value: string; hash: string }): boolean {
  const a = Buffer.from(sha256(value), "hex");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A refused SAML sign-in: the page shows the code's fixed words, the audit log keeps `detail`. */
class SamlRefusal extends ServiceError {
  constructor({ samlError, detail }: { samlError: SamlErrorCode; detail?: string }) {
    super({ code: samlError === "SamlNotFound" ? "NOT_FOUND" : "BAD_REQUEST", message: samlErrorMessages[samlError], details: { samlError } });
    this.detail = detail ?? samlErrorMessages[samlError];
  }

  readonly detail: string;
}

function refuseSaml(samlError: SamlErrorCode, detail?: string): never {
  throw new SamlRefusal({ samlError, detail });
}

const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----`;

const connectionSelect = { id: true, workspaceId: true, protocol: true, enabled: true, samlIdpEntityId: true, samlIdpSsoUrl: true, samlIdpCertificates: true } as const;

type ReadyConnection = { id: string; workspaceId: string; idpEntityId: string; idpSsoUrl: string; certificates: string[] };

async function readyConnection({ db, connectionId }: { db: Db; connectionId: string }): Promise<ReadyConnection> {
  const row = await db.ssoConnection.findUnique({ where: { id: connectionId }, select: connectionSelect });
  if (!row || row.protocol !== "saml") refuseSaml("SamlNotFound");
  if (!row.enabled) refuseSaml("SamlDisabled");
  if (!row.samlIdpEntityId || !row.samlIdpSsoUrl || row.samlIdpCertificates.length === 0) refuseSaml("SamlNotSetUp");
  return { id: row.id, workspaceId: row.workspaceId, idpEntityId: row.samlIdpEntityId, idpSsoUrl: row.samlIdpSsoUrl, certificates: row.samlIdpCertificates };
}

interface PendingRequest {
  relayState: string;
  browserHash: string;
  callbackUrl: string;
}

/**
 * node-saml's store of the AuthnRequest ids it issued, kept in the database so that any web process can check an
 * answer. Taking a request out is atomic: of two answers to the same request, one finds it and the other does not.
 */
class RequestStore implements CacheProvider {
  private readonly taken = new Map<string, PendingRequest>();

  constructor(
    private readonly db: Db,
    private readonly connectionId: string,
    private readonly pending?: PendingRequest,
  ) {}

  async saveAsync(key: string, value: string) {
    if (!this.pending) throw new Error("requests are only saved when a sign-in begins");
    const createdAt = new Date(value);
    await this.db.samlRequest.create({
      data: { id: key, connectionId: this.connectionId, ...this.pending, createdAt, expiresAt: new Date(createdAt.getTime() + REQUEST_TTL_MS) },
      select: { id: true },
    });
    return { value, createdAt: createdAt.getTime() };
  }

  async getAsync(key: string) {
    const row = await this.db.samlRequest.findFirst({ where: { id: key, connectionId: this.connectionId, expiresAt: { gt: new Date() } }, select: { createdAt: true } });
    return row ? row.createdAt.toISOString() : null;
  }

  /** node-saml removes a request once answered, rightly or wrongly; the answer's details are kept for `take`. */
  async removeAsync(key: string | null) {
    if (!key) return null;
    const row = await this.takeRow(key);
    if (row) this.taken.set(key, row);
    return row ? key : null;
  }

  /** The request an accepted answer replied to, taken out of the store (null when another answer took it first). */
  async take(key: string): Promise<PendingRequest | null> {
    return this.taken.get(key) ?? (await this.takeRow(key));
  }

  private takeRow(key: string): Promise<PendingRequest | null> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.samlRequest.findFirst({
        where: { id: key, connectionId: this.connectionId, expiresAt: { gt: new Date() } },
        select: { relayState: true, browserHash: true, callbackUrl: true },
      });
      if (!row) return null;
      const { count } = await tx.samlRequest.deleteMany({ where: { id: key } });
      return count === 1 ? row : null;
    });
  }
}

// node-saml (with its XML signature and encryption libraries) is loaded by the first SAML sign-in or metadata request.
const nodeSaml = onFirstUse(() => import("@node-saml/node-saml"));

async function samlClient({ connection, origin, store }: { connection: ReadyConnection; origin: string; store: RequestStore }): Promise<SAML> {
  const sp = samlServiceProvider({ origin, connectionId: connection.id });
  const { SAML, ValidateInResponseTo } = await nodeSaml.get();
  return new SAML({
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    audience: sp.entityId,
    entryPoint: connection.idpSsoUrl,
    idpIssuer: connection.idpEntityId,
    idpCert: connection.certificates.map(pem),
    // The assertion itself must carry the IdP's signature; many IdPs sign only the assertion, not the envelope.
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: store,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    // Let the IdP choose its NameID and authentication method: forcing them is the commonest cause of IdP errors.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
  });
}

/** Whether the IdP answered with a non-success status; without node-saml loaded, nothing can be its error. */
function isSamlStatusError(err: unknown): boolean {
  const saml = nodeSaml.loaded();
  return saml !== undefined && err instanceof saml.SamlStatusError;
}

/** node-saml's reasons, sorted into what the sign-in page can tell the person; the audit log keeps node-saml's words. */
function refusalOf(err: unknown): SamlRefusal {
  if (err instanceof SamlRefusal) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const samlError: SamlErrorCode =
    isSamlStatusError(err) ? "SamlIdpRefused"
    : /signature/i.test(detail) ? "SamlSignature"
    : /audience/i.test(detail) ? "SamlAudience"
    : /InResponseTo/i.test(detail) ? "SamlRequest"
    : /expired|not yet valid|NotBefore|NotOnOrAfter|subject confirmation/i.test(detail) ? "SamlExpired"
    : "SamlInvalid";
  return new SamlRefusal({ samlError, detail });
}

function firstString(profile: Profile, names: string[]): string | null {
  for (const name of names) {
    const value = profile[name];
    const text = Array.isArray(value) ? value.find((item) => typeof item === "string") : value;
    if (typeof text === "string" && text.trim()) return text.trim();
  }
  return null;
}

function identityOf(profile: Profile): SsoIdentity {
  const emailNameId = /emailAddress$/.test(profile.nameIDFormat ?? "") ? profile.nameID : null;
  const email = firstString(profile, EMAIL_ATTRIBUTES) ?? emailNameId ?? (/^[^@\s]+@[^@\s]+$/.test(profile.nameID ?? "") ? profile.nameID : null);
  if (!email) refuseSaml("SamlNoEmail");
  if (!profile.nameID) refuseSaml("SamlInvalid", "the assertion names no subject (NameID)");
  const given = firstString(profile, ["givenName", "urn:oid:2.5.4.42"]);
  const family = firstString(profile, ["sn", "surname", "urn:oid:2.5.4.4"]);
  const name = firstString(profile, NAME_ATTRIBUTES) ?? ([given, family].filter(Boolean).join(" ") || null);
  // A SAML assertion has no "email verified" flag: the IdP the workspace's admin trusts vouches for the address it
  // signs, and the shared sign-in policy still requires that address's domain to be claimed by this workspace.
  return { subject: profile.nameID, email, emailVerified: true, name };
}

/** When the assertion stops being valid: until then its id must not be accepted again. */
function assertionExpiry(profile: Profile): { id: string; expiresAt: Date } {
  const assertion = (profile.getAssertion?.() as { Assertion?: { $?: { ID?: string }; Conditions?: { $?: { NotOnOrAfter?: string } }[]; Subject?: { SubjectConfirmation?: { SubjectConfirmationData?: { $?: { NotOnOrAfter?: string } }[] }[] }[] } } | undefined)?.Assertion;
  const id = assertion?.$?.ID;
  if (!id) refuseSaml("SamlInvalid", "the assertion has no ID");
  const limits = [assertion.Conditions?.[0]?.$?.NotOnOrAfter, ...(assertion.Subject?.[0]?.SubjectConfirmation ?? []).map((c) => c.SubjectConfirmationData?.[0]?.$?.NotOnOrAfter)]
    .map((value) => (value ? Date.parse(value) : NaN))
    .filter((ms) => Number.isFinite(ms));
  const until = limits.length > 0 ? Math.max(...limits) + CLOCK_SKEW_MS : Date.now() + ASSERTION_MEMORY_MS;
  return { id, expiresAt: new Date(Math.min(until, Date.now() + ASSERTION_MEMORY_MS)) };
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

async function pruneExpired(db: Db): Promise<void> {
  const now = new Date();
  await Promise.all([
    db.samlRequest.deleteMany({ where: { expiresAt: { lte: now } } }),
    db.samlAssertionUse.deleteMany({ where: { expiresAt: { lte: now } } }),
    db.samlTicket.deleteMany({ where: { expiresAt: { lte: now } } }),
  ]);
}

/** A SAML connection's settings as saved: the shared ones, and the identity provider's metadata by URL or pasted. */
export interface SamlSettings extends SsoSettings {
  metadataUrl?: string | null;
  metadataXml?: string | null;
}

function fieldError({ field, message }: { field: string; message: string }): ServiceError {
  return new ServiceError({ code: "BAD_REQUEST", message, details: { field } });
}

export const samlService = {
  /**
   * Saves the workspace's SAML single sign-on: the identity provider read from its metadata URL (fetched through the
   * SSRF-safe client) or from pasted metadata XML, with the settings both protocols share.
   */
  async save({ db, http, actor, workspaceId, settings }: { db: Db; http: HttpClient; actor: SsoActor; workspaceId: string; settings: SamlSettings }): Promise<SsoConnectionView> {
    const url = settings.metadataUrl?.trim() || null;
    const pasted = settings.metadataXml?.trim() || null;
    if (url && pasted) throw fieldError({ field: "metadataUrl", message: "Give either the metadata URL or the metadata XML, not both." });
    normalizeDomains(settings.domains);
    if (!url && !pasted) {
      // Neither given on an edit keeps the identity provider stored, as a blank client secret does for OIDC.
      const stored = await db.ssoConnection.findUnique({ where: { workspaceId }, select: { protocol: true, samlIdpEntityId: true } });
      if (stored?.protocol !== "saml" || !stored.samlIdpEntityId) throw fieldError({ field: "metadataUrl", message: "Enter the identity provider's metadata URL, or paste its metadata XML." });
      return saveConnection({ db, actor, workspaceId, settings, fields: { protocol: "saml" } });
    }
    let xml: string;
    let metadata: IdpMetadata;
    try {
      ({ xml, metadata } = url ? await fetchIdpMetadata({ url, http }) : { xml: pasted!, metadata: await readIdpMetadata(pasted!) });
    } catch (err) {
      if (err instanceof ServiceError) throw fieldError({ field: url ? "metadataUrl" : "metadataXml", message: err.message });
      throw err;
    }
    return ssoService.saveSaml({ db, actor, workspaceId, settings, metadata: { url, xml, idpEntityId: metadata.entityId, idpSsoUrl: metadata.ssoUrl, certificates: metadata.certificates } });
  },

  /** Our service provider metadata for a connection, for the IdP to import; public, as IdPs fetch it unauthenticated. */
  async serviceProviderMetadata({ db, connectionId, origin }: { db: Db; connectionId: string; origin: string }): Promise<string> {
    const row = await db.ssoConnection.findUnique({ where: { id: connectionId }, select: { protocol: true } });
    if (!row || row.protocol !== "saml") throw new ServiceError({ code: "NOT_FOUND", message: "There is no SAML connection with this id." });
    const sp = samlServiceProvider({ origin, connectionId });
    const { generateServiceProviderMetadata } = await nodeSaml.get();
    return generateServiceProviderMetadata({ issuer: sp.entityId, callbackUrl: sp.acsUrl, wantAssertionsSigned: true, identifierFormat: null });
  },

  /**
   * Begins a sign-in: an AuthnRequest for the redirect binding, remembered with its RelayState and the hash of a
   * fresh browser token, which the caller sets as an HttpOnly cookie (SAML_BROWSER_COOKIE).
   */
  async beginSignIn({ db, connectionId, origin, callbackUrl }: { db: Db; connectionId: string; origin: string; callbackUrl: string }): Promise<{ redirectUrl: string; browserToken: string }> {
    const connection = await readyConnection({ db, connectionId });
    await pruneExpired(db);
    const browserToken = token();
    const relayState = token();
    const store = new RequestStore(db, connection.id, { relayState, browserHash: sha256(browserToken), callbackUrl });
    const redirectUrl = await (await samlClient({ connection, origin, store })).getAuthorizeUrlAsync(relayState, undefined, {});
    return { redirectUrl, browserToken };
  },

  /**
   * Checks the IdP's answer posted to our ACS: the assertion signed by the IdP's certificate, meant for us (audience),
   * issued by the IdP, replying to a request we sent with the same RelayState, within its validity window and not
   * used before. Returns a one-time ticket for the browser to redeem. Refusals are audited, and thrown with a
   * `samlError` code (details) for the sign-in page.
   */
  async acceptResponse({ db, connectionId, origin, samlResponse, relayState }: { db: Db; connectionId: string; origin: string; samlResponse: string; relayState: string | null }): Promise<{ ticket: string; callbackUrl: string }> {
    let email: string | null = null;
    try {
      const connection = await readyConnection({ db, connectionId });
      const store = new RequestStore(db, connection.id);
      const { profile } = await (await samlClient({ connection, origin, store })).validatePostResponseAsync({ SAMLResponse: samlResponse });
      if (!profile) refuseSaml("SamlInvalid", "the answer holds no sign-in");
      email = firstString(profile, EMAIL_ATTRIBUTES);
      if (profile.issuer !== connection.idpEntityId) refuseSaml("SamlIssuer", `issued by "${String(profile.issuer).slice(0, 200)}", not by "${connection.idpEntityId}"`);
      const request = typeof profile.inResponseTo === "string" ? await store.take(profile.inResponseTo) : null;
      if (!request) refuseSaml("SamlRequest", "the request it answers was already answered or has expired");
      if (!relayState || relayState !== request.relayState) refuseSaml("SamlRelayState", "the RelayState is not the one sent with the request");
      const identity = identityOf(profile);
      email = identity.email;
      const assertion = assertionExpiry(profile);
      try {
        await db.samlAssertionUse.create({ data: { connectionId: connection.id, assertionId: assertion.id, expiresAt: assertion.expiresAt }, select: { assertionId: true } });
      } catch (err) {
        if (isUniqueViolation(err)) refuseSaml("SamlReplay", `assertion ${assertion.id} was already used`);
        throw err;
      }
      const ticket = token();
      await db.samlTicket.create({
        data: { tokenHash: sha256(ticket), connectionId: connection.id, browserHash: request.browserHash, ...identity, callbackUrl: request.callbackUrl, expiresAt: new Date(Date.now() + TICKET_TTL_MS) },
        select: { tokenHash: true },
      });
      return { ticket, callbackUrl: request.callbackUrl };
    } catch (err) {
      const refusal = refusalOf(err);
      // In the workspace's own chain, beside the refusals of the shared sign-in policy; the instance's when unknown.
      const workspaceId = (await db.ssoConnection.findUnique({ where: { id: connectionId }, select: { workspaceId: true } }))?.workspaceId ?? null;
      await db.$transaction((tx) =>
        auditService.record({
          tx,
          entry: { workspaceId, actorId: null, actorKind: "system", action: "sso.signInFailed", targetType: "ssoConnection", targetId: connectionId, data: { protocol: "saml", email: email?.slice(0, 254) ?? null, reason: refusal.detail } },
        }),
      );
      throw refusal;
    }
  },

  /** Redeems a ticket once, in the browser that began the sign-in: who signed in, through which connection. */
  async redeemTicket({ db, ticket, browserToken }: { db: Db; ticket: string; browserToken: string | null }): Promise<{ connectionId: string; identity: SsoIdentity; callbackUrl: string }> {
    const row = await db.$transaction(async (tx) => {
      const found = await tx.samlTicket.findUnique({
        where: { tokenHash: sha256(ticket) },
        select: { connectionId: true, browserHash: true, subject: true, email: true, emailVerified: true, name: true, callbackUrl: true, expiresAt: true },
      });
      if (!found) return null;
      const { count } = await tx.samlTicket.deleteMany({ where: { tokenHash: sha256(ticket) } });
      return count === 1 ? found : null;
    });
    if (!row || row.expiresAt <= new Date()) refuseSaml("SamlTicket");
    if (!browserToken || !sameHash({ value: browserToken, hash: row.browserHash })) refuseSaml("SamlBrowser");
    const { subject, email, emailVerified, name } = row;
    return { connectionId: row.connectionId, identity: { subject, email, emailVerified, name }, callbackUrl: row.callbackUrl };
  },
};
