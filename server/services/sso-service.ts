import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import type { SecretBox } from "../crypto";
import type { HttpClient } from "../../nodes/_kit/context";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { userService, type SignedInUser } from "./user-service";
import type { Role } from "./workspace-roles";

type Tx = Prisma.TransactionClient;

export type SsoProtocol = "oidc" | "saml";

/** What a workspace's SSO does with the people it signs in, whichever protocol it speaks. */
export interface SsoSettings {
  /** Email domains the connection claims, as typed; stored lower case. */
  domains: string[];
  defaultRole: Exclude<Role, "owner">;
  jitProvisioning: boolean;
  requireSso: boolean;
  enabled: boolean;
}

export interface OidcSettings extends SsoSettings {
  issuer: string;
  clientId: string;
  /** Blank on an edit keeps the stored secret. */
  clientSecret?: string;
}

/** What the identity provider asserted about the person, read from an OIDC id token or a SAML assertion. */
export interface SsoIdentity {
  subject: string;
  email: string;
  emailVerified: boolean;
  name?: string | null;
}

/** The person acting on the settings: who, and which SSO connection (if any) they signed in through. */
export interface SsoActor {
  id: string;
  email: string;
  ssoConnectionId?: string | null;
}

/** Why a sign-in was refused, as the sign-in page names it (`/signin?error=<code>`). */
export type SsoSignInRefusal = "SsoDisabled" | "SsoEmailUnverified" | "SsoDomainNotClaimed" | "SsoDomainUnverified" | "SsoNotMember" | "SsoRequired";

/** The next-auth provider id of an OIDC connection; its callback is /api/auth/callback/<providerId>. */
export function ssoProviderId(connectionId: string): string {
  return `sso-${connectionId}`;
}

/** The account provider a connection's subjects are linked under, so equal subjects at two providers never meet. */
export function ssoAccountProvider(connectionId: string): string {
  return `sso:${connectionId}`;
}

/** Where a person is sent to sign in through a connection. */
export type SsoRoute = { protocol: "oidc"; providerId: string } | { protocol: "saml"; url: string };

export function ssoRoute({ id, protocol }: { id: string; protocol: SsoProtocol }): SsoRoute {
  return protocol === "oidc" ? { protocol, providerId: ssoProviderId(id) } : { protocol, url: `/api/sso/saml/${id}/login` };
}

const connectionSelect = {
  id: true,
  workspaceId: true,
  protocol: true,
  enabled: true,
  defaultRole: true,
  jitProvisioning: true,
  requireSso: true,
  oidcIssuer: true,
  oidcClientId: true,
  oidcClientSecret: true,
  samlMetadataUrl: true,
  samlIdpEntityId: true,
  samlIdpSsoUrl: true,
  samlIdpCertificates: true,
  updatedAt: true,
  domains: { select: { domain: true, verifiedAt: true }, orderBy: { domain: "asc" } },
} as const satisfies Prisma.SsoConnectionSelect;

type ConnectionRow = Prisma.SsoConnectionGetPayload<{ select: typeof connectionSelect }>;

/** The connection as its admins see it: never the client secret, only whether one is stored. */
function view(row: ConnectionRow) {
  return {
    id: row.id,
    protocol: row.protocol,
    enabled: row.enabled,
    defaultRole: row.defaultRole,
    jitProvisioning: row.jitProvisioning,
    requireSso: row.requireSso,
    domains: row.domains.map((d) => d.domain),
    /** Each claim's state: a pending one signs nobody in and enforces no "require SSO". */
    claims: row.domains.map((d) => ({ domain: d.domain, verifiedAt: d.verifiedAt })),
    oidc: row.protocol === "oidc" ? { issuer: row.oidcIssuer ?? "", clientId: row.oidcClientId ?? "", clientSecretSet: Boolean(row.oidcClientSecret) } : null,
    saml:
      row.protocol === "saml"
        ? { metadataUrl: row.samlMetadataUrl, idpEntityId: row.samlIdpEntityId, idpSsoUrl: row.samlIdpSsoUrl, certificateCount: row.samlIdpCertificates.length }
        : null,
    route: ssoRoute(row),
    updatedAt: row.updatedAt,
  };
}

export type SsoConnectionView = ReturnType<typeof view>;

function fieldError({ field, message, code = "BAD_REQUEST" }: { field: string; message: string; code?: "BAD_REQUEST" | "CONFLICT" }): ServiceError {
  return new ServiceError({ code, message, details: { field } });
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-cased, without "@" and duplicates; each must be a host name with a dot ("example.com"). */
export function normalizeDomains(domains: string[]): string[] {
  const out = new Set<string>();
  for (const raw of domains) {
    const domain = raw.trim().toLowerCase().replace(/^@/, "").replace(/\.$/, "");
    if (!domain) continue;
    if (!DOMAIN.test(domain)) throw fieldError({ field: "domains", message: `"${raw.trim()}" is not an email domain; write domains such as example.com, one per line.` });
    out.add(domain);
  }
  return [...out];
}

function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/** The discovery document's fields the sign-in needs. */
export interface OidcDiscovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https, or http to this machine (a provider run beside the instance); anything else would carry codes and tokens in the clear. */
function acceptableUrl(raw: unknown): URL | null {
  if (typeof raw !== "string") return null;
  try {
    const url = new URL(raw);
    if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname))) return url;
  } catch {
    return null;
  }
  return null;
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, "");

/**
 * Reads an issuer's discovery document through the SSRF-safe client and checks it names this issuer and the
 * endpoints a sign-in uses. Errors are about the issuer field, in words an admin can act on.
 */
export async function discoverOidc({ http, issuer }: { http: HttpClient; issuer: string }): Promise<OidcDiscovery> {
  const base = acceptableUrl(issuer);
  if (!base) throw fieldError({ field: "issuer", message: "Enter the issuer's https:// address, such as https://login.example.com/realms/acme." });
  const wellKnown = `${withoutTrailingSlash(base.href)}/.well-known/openid-configuration`;
  let response;
  try {
    response = await http.request({ url: wellKnown, headers: { accept: "application/json" }, timeoutMs: 10_000, maxResponseBytes: 512 * 1024 });
  } catch (err) {
    throw fieldError({ field: "issuer", message: `Could not read ${wellKnown}: ${(err as Error).message}` });
  }
  if (response.status !== 200) throw fieldError({ field: "issuer", message: `${wellKnown} answered HTTP ${response.status}; check the issuer address.` });
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(response.body.toString("utf8"));
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    doc = parsed as Record<string, unknown>;
  } catch {
    throw fieldError({ field: "issuer", message: `${wellKnown} is not an OpenID Connect discovery document (its answer is not a JSON object); check the issuer address.` });
  }
  if (typeof doc.issuer !== "string" || withoutTrailingSlash(doc.issuer) !== withoutTrailingSlash(issuer.trim())) {
    throw fieldError({
      field: "issuer",
      message: `The discovery document names the issuer ${JSON.stringify(doc.issuer ?? null)}, not ${issuer.trim()}; enter the issuer exactly as the provider names it.`,
    });
  }
  const missing = (["authorization_endpoint", "token_endpoint", "jwks_uri"] as const).filter((key) => !acceptableUrl(doc[key]));
  if (missing.length > 0) {
    throw fieldError({ field: "issuer", message: `The provider's discovery document has no usable ${missing.join(", ")} (https:// addresses); this provider cannot be used for sign-in.` });
  }
  return {
    issuer: doc.issuer,
    authorization_endpoint: doc.authorization_endpoint as string,
    token_endpoint: doc.token_endpoint as string,
    jwks_uri: doc.jwks_uri as string,
    userinfo_endpoint: acceptableUrl(doc.userinfo_endpoint) ? (doc.userinfo_endpoint as string) : undefined,
  };
}

/** The protocol's own columns, as a save stores them. */
type ProtocolFields =
  | { protocol: "oidc"; oidcIssuer: string; oidcClientId: string; oidcClientSecret: string | undefined }
  | { protocol: "saml"; samlMetadataUrl: string | null; samlMetadataXml: string | null; samlIdpEntityId: string; samlIdpSsoUrl: string; samlIdpCertificates: string[] }
  /** An edit of a SAML connection that leaves its identity provider as stored. */
  | { protocol: "saml" };

/**
 * Stores a connection's settings and claimed domains in one transaction with its audit event. Shared by both
 * protocols' saves: the protocol-specific checks happen before, in `saveOidc` and the SAML save.
 */
export async function saveConnection({
  db,
  actor,
  workspaceId,
  settings,
  fields,
}: {
  db: Db;
  actor: SsoActor;
  workspaceId: string;
  settings: SsoSettings;
  fields: ProtocolFields;
}): Promise<SsoConnectionView> {
  const domains = normalizeDomains(settings.domains);
  if ((settings.defaultRole as Role) === "owner") throw fieldError({ field: "defaultRole", message: "People who join through single sign-on cannot become owners; choose admin or a lesser role." });
  if (settings.requireSso && domains.length === 0) throw fieldError({ field: "requireSso", message: "Requiring single sign-on needs at least one claimed email domain." });
  if (settings.enabled && settings.requireSso && domains.includes(emailDomain(actor.email))) {
    // Otherwise the admin's own session would end at once, with no way back in but a sign-in not yet proven to work.
    const existing = await db.ssoConnection.findUnique({ where: { workspaceId }, select: { id: true } });
    if (!existing || actor.ssoConnectionId !== existing.id) {
      throw fieldError({
        field: "requireSso",
        message: `You signed in another way, and ${emailDomain(actor.email)} is one of the claimed domains: save without "Require SSO", sign in through this workspace's single sign-on, then turn it on.`,
      });
    }
  }
  const clearOther =
    fields.protocol === "oidc"
      ? { samlMetadataUrl: null, samlMetadataXml: null, samlIdpEntityId: null, samlIdpSsoUrl: null, samlIdpCertificates: [] }
      : { oidcIssuer: null, oidcClientId: null, oidcClientSecret: null };
  const { protocol, ...columns } = fields;
  return db.$transaction(async (tx) => {
    const before = await tx.ssoConnection.findUnique({ where: { workspaceId }, select: { id: true, protocol: true, oidcClientSecret: true } });
    if (fields.protocol === "oidc" && !fields.oidcClientSecret && !(before?.protocol === "oidc" && before.oidcClientSecret)) {
      throw fieldError({ field: "clientSecret", message: "Enter the client secret the identity provider gave you for this client." });
    }
    const data = {
      protocol,
      enabled: settings.enabled,
      defaultRole: settings.defaultRole,
      jitProvisioning: settings.jitProvisioning,
      requireSso: settings.requireSso,
      ...clearOther,
      ...Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined)),
    };
    const saved = before
      ? await tx.ssoConnection.update({ where: { workspaceId }, data, select: { id: true } })
      : await tx.ssoConnection.create({ data: { workspaceId, ...data }, select: { id: true } });
    // An instance administrator vouches for what they claim; anyone else's new claims wait for one.
    const stored = await tx.user.findUnique({ where: { id: actor.id }, select: { instanceAdmin: true, disabledAt: true } });
    const verifier = stored?.instanceAdmin && !stored.disabledAt ? actor.id : null;
    const verified = await claimDomains({ tx, connectionId: saved.id, domains, verifier });
    if (verified.length > 0) {
      await auditService.record({
        tx,
        entry: { workspaceId: null, actorId: actor.id, action: "sso.domainVerify", targetType: "ssoConnection", targetId: saved.id, data: { domains: verified, workspaceId, claimedByInstanceAdmin: true } },
      });
    }
    await auditService.record({
      tx,
      entry: {
        workspaceId,
        actorId: actor.id,
        action: before ? "sso.update" : "sso.create",
        targetType: "ssoConnection",
        targetId: saved.id,
        data: {
          protocol,
          enabled: settings.enabled,
          domains,
          ...(verified.length > 0 ? { verifiedDomains: verified } : {}),
          defaultRole: settings.defaultRole,
          jitProvisioning: settings.jitProvisioning,
          requireSso: settings.requireSso,
          ...(fields.protocol === "oidc"
            ? { issuer: fields.oidcIssuer, clientId: fields.oidcClientId, clientSecretChanged: Boolean(fields.oidcClientSecret) }
            : "samlIdpEntityId" in fields
              ? { idpEntityId: fields.samlIdpEntityId, metadataUrl: fields.samlMetadataUrl }
              : {}),
        },
      },
    });
    return view(await tx.ssoConnection.findUniqueOrThrow({ where: { id: saved.id }, select: connectionSelect }));
  });
}

/**
 * Makes `domains` exactly the connection's claims; a domain another workspace claims is refused without naming it.
 * New claims are verified at once when `verifier` (an instance administrator) saves them, and pending otherwise;
 * claims kept keep their state. Returns the domains verified now.
 */
async function claimDomains({ tx, connectionId, domains, verifier }: { tx: Tx; connectionId: string; domains: string[]; verifier: string | null }): Promise<string[]> {
  const taken = await tx.ssoDomain.findMany({ where: { domain: { in: domains }, connectionId: { not: connectionId } }, select: { domain: true } });
  if (taken.length > 0) {
    throw fieldError({
      field: "domains",
      code: "CONFLICT",
      message: `${taken.map((d) => d.domain).join(", ")} ${taken.length === 1 ? "is" : "are"} already claimed by another workspace on this instance; a domain can sign in to one workspace only.`,
    });
  }
  await tx.ssoDomain.deleteMany({ where: { connectionId, domain: { notIn: domains } } });
  const kept = new Set((await tx.ssoDomain.findMany({ where: { connectionId }, select: { domain: true } })).map((d) => d.domain));
  const added = domains.filter((domain) => !kept.has(domain));
  const verification = verifier ? { verifiedAt: new Date(), verifiedById: verifier } : {};
  // Concurrent saves claiming the same domain meet at its primary key: the loser's transaction fails there.
  await tx.ssoDomain.createMany({ data: added.map((domain) => ({ domain, connectionId, ...verification })), skipDuplicates: true });
  const claimed = await tx.ssoDomain.count({ where: { connectionId, domain: { in: domains } } });
  if (claimed !== domains.length) {
    throw fieldError({ field: "domains", code: "CONFLICT", message: "One of these domains was just claimed by another workspace; save again to see which." });
  }
  return verifier ? added : [];
}

/** A sign-in refused: recorded in the workspace's chain (when there is one) and thrown with its page code. */
async function refuse({
  db,
  connection,
  email,
  refusal,
  message,
}: {
  db: Db;
  connection: { id: string; workspaceId: string; protocol: SsoProtocol } | null;
  email: string;
  refusal: SsoSignInRefusal;
  message: string;
}): Promise<never> {
  if (connection) {
    await db.$transaction((tx) =>
      auditService.record({
        tx,
        entry: {
          workspaceId: connection.workspaceId,
          actorId: null,
          actorKind: "system",
          action: "sso.signInFailed",
          targetType: "ssoConnection",
          targetId: connection.id,
          data: { protocol: connection.protocol, email: email.slice(0, 254), reason: message },
        },
      }),
    );
  }
  throw new ServiceError({ code: "FORBIDDEN", message, details: { refusal } });
}

export const ssoService = {
  /** The workspace's connection for its admins, or null when it has none. */
  async get({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<SsoConnectionView | null> {
    const row = await db.ssoConnection.findUnique({ where: { workspaceId }, select: connectionSelect });
    return row ? view(row) : null;
  },

  /** Checks the issuer's discovery document, seals the client secret, and stores the settings. */
  async saveOidc({
    db,
    box,
    http,
    actor,
    workspaceId,
    settings,
  }: {
    db: Db;
    box: SecretBox;
    http: HttpClient;
    actor: SsoActor;
    workspaceId: string;
    settings: OidcSettings;
  }): Promise<SsoConnectionView> {
    const clientId = settings.clientId.trim();
    if (!clientId) throw fieldError({ field: "clientId", message: "Enter the client id the identity provider gave you for Streamware." });
    normalizeDomains(settings.domains);
    const discovery = await discoverOidc({ http, issuer: settings.issuer.trim() });
    const secret = settings.clientSecret?.trim();
    return saveConnection({
      db,
      actor,
      workspaceId,
      settings,
      fields: {
        protocol: "oidc",
        oidcIssuer: discovery.issuer,
        oidcClientId: clientId,
        oidcClientSecret: secret ? box.seal({ plaintext: secret, context: workspaceId }) : undefined,
      },
    });
  },

  /**
   * Stores a SAML connection from its identity provider's metadata, already read and checked by the SAML runtime:
   * the metadata as given (its URL or the XML pasted) and what sign-ins need from it.
   */
  async saveSaml({
    db,
    actor,
    workspaceId,
    settings,
    metadata,
  }: {
    db: Db;
    actor: SsoActor;
    workspaceId: string;
    settings: SsoSettings;
    metadata: { url: string | null; xml: string | null; idpEntityId: string; idpSsoUrl: string; certificates: string[] };
  }): Promise<SsoConnectionView> {
    if (!metadata.idpEntityId || !metadata.idpSsoUrl || metadata.certificates.length === 0) {
      throw fieldError({ field: "metadata", message: "The identity provider's metadata must name its entity id, its sign-in (SSO) URL and at least one signing certificate." });
    }
    return saveConnection({
      db,
      actor,
      workspaceId,
      settings,
      fields: {
        protocol: "saml",
        samlMetadataUrl: metadata.url,
        samlMetadataXml: metadata.xml,
        samlIdpEntityId: metadata.idpEntityId,
        samlIdpSsoUrl: metadata.idpSsoUrl,
        samlIdpCertificates: metadata.certificates,
      },
    });
  },

  /** Removes the connection and its claimed domains; members keep their membership and sign in another way. */
  async delete({ db, actor, workspaceId }: { db: Db; actor: SsoActor; workspaceId: string }): Promise<void> {
    await db.$transaction(async (tx) => {
      const existing = await tx.ssoConnection.findUnique({ where: { workspaceId }, select: { id: true, protocol: true } });
      if (!existing) throw new ServiceError({ code: "NOT_FOUND", message: "This workspace has no single sign-on to remove." });
      await tx.ssoConnection.delete({ where: { id: existing.id }, select: { id: true } });
      await auditService.record({ tx, entry: { workspaceId, actorId: actor.id, action: "sso.delete", targetType: "ssoConnection", targetId: existing.id, data: { protocol: existing.protocol } } });
    });
  },

  /** Every claimed domain on the instance for its administrators, pending ones first, then the newest. */
  async listClaims({ db, search, page, pageSize }: { db: Db; search?: string; page: number; pageSize: number }) {
    const where: Prisma.SsoDomainWhereInput = search
      ? {
          OR: [
            { domain: { contains: search.toLowerCase() } },
            { connection: { workspace: { OR: [{ name: { contains: search, mode: "insensitive" } }, { slug: { contains: search, mode: "insensitive" } }] } } },
          ],
        }
      : {};
    const [total, pending, claims] = await Promise.all([
      db.ssoDomain.count({ where }),
      db.ssoDomain.count({ where: { verifiedAt: null } }),
      db.ssoDomain.findMany({
        where,
        select: {
          domain: true,
          createdAt: true,
          verifiedAt: true,
          verifiedBy: { select: { email: true } },
          connection: { select: { id: true, protocol: true, enabled: true, requireSso: true, workspace: { select: { id: true, name: true, slug: true } } } },
        },
        orderBy: [{ verifiedAt: { sort: "asc", nulls: "first" } }, { createdAt: "desc" }, { domain: "asc" }],
        skip: (page - 1) * pageSize,
        take: pageSize,
      }),
    ]);
    return {
      total,
      pending,
      claims: claims.map(({ connection: { workspace, ...connection }, verifiedBy, ...claim }) => ({
        ...claim,
        verifiedBy: verifiedBy?.email ?? null,
        connectionId: connection.id,
        protocol: connection.protocol,
        enabled: connection.enabled,
        requireSso: connection.requireSso,
        workspace,
      })),
    };
  },

  /**
   * An instance administrator's decision on a claim: `verify` vouches that the domain belongs to the workspace,
   * `revoke` takes that back (the claim waits again), `reject` removes a pending claim. The claim is named with
   * its connection, so a decision never lands on a claim made since the list was read. Recorded in the instance's
   * chain and in the workspace's, whose admins see what became of their claim.
   */
  async decideClaim({ db, actorId, domain, connectionId, decision }: { db: Db; actorId: string; domain: string; connectionId: string; decision: "verify" | "revoke" | "reject" }) {
    return db.$transaction(async (tx) => {
      const claim = await tx.ssoDomain.findUnique({ where: { domain }, select: { connectionId: true, verifiedAt: true, connection: { select: { workspaceId: true, protocol: true } } } });
      if (!claim || claim.connectionId !== connectionId) {
        throw new ServiceError({ code: "NOT_FOUND", message: `That claim of ${domain} no longer exists; reload the list to see the claims as they are now.` });
      }
      const verified = claim.verifiedAt !== null;
      if (decision === "reject" && verified) {
        throw new ServiceError({ code: "BAD_REQUEST", message: `${domain} is verified; revoke the verification first, then reject the claim.` });
      }
      if ((decision === "verify" && verified) || (decision === "revoke" && !verified)) return { domain, verified };
      if (decision === "reject") {
        await tx.ssoDomain.delete({ where: { domain }, select: { domain: true } });
      } else {
        await tx.ssoDomain.update({
          where: { domain },
          data: decision === "verify" ? { verifiedAt: new Date(), verifiedById: actorId } : { verifiedAt: null, verifiedById: null },
          select: { domain: true },
        });
      }
      const action = { verify: "sso.domainVerify", revoke: "sso.domainRevoke", reject: "sso.domainReject" }[decision];
      const { workspaceId, protocol } = claim.connection;
      await auditService.record({ tx, entry: { workspaceId: null, actorId, action, targetType: "ssoConnection", targetId: connectionId, data: { domain, workspaceId, protocol } } });
      await auditService.record({ tx, entry: { workspaceId, actorId, action, targetType: "ssoConnection", targetId: connectionId, data: { domain, protocol } } });
      return { domain, verified: decision === "verify" };
    });
  },

  /** The enabled connection claiming an email's domain, for routing a sign-in and for "require SSO". */
  async connectionForEmail({
    db,
    email,
  }: {
    db: Db;
    email: string;
  }): Promise<{ id: string; workspaceId: string; protocol: SsoProtocol; requireSso: boolean; verified: boolean } | null> {
    const claim = await db.ssoDomain.findUnique({
      where: { domain: emailDomain(email.trim()) },
      select: { verifiedAt: true, connection: { select: { id: true, workspaceId: true, protocol: true, enabled: true, requireSso: true } } },
    });
    if (!claim?.connection.enabled) return null;
    const { enabled: _enabled, ...connection } = claim.connection;
    return { ...connection, verified: claim.verifiedAt !== null };
  },

  /** Whether any workspace signs people in by single sign-on, so the sign-in page offers "Continue with SSO". */
  async anyEnabled({ db }: { db: Db }): Promise<boolean> {
    return (await db.ssoConnection.count({ where: { enabled: true }, take: 1 })) > 0;
  },

  /** Where "Continue with SSO" sends a person; an email whose domain no enabled connection claims is refused. */
  async routeForEmail({ db, email }: { db: Db; email: string }): Promise<SsoRoute> {
    const connection = await ssoService.connectionForEmail({ db, email });
    if (!connection) {
      throw new ServiceError({
        code: "NOT_FOUND",
        message: `No workspace here signs in people from ${emailDomain(email.trim())} with single sign-on; sign in another way, or ask your administrator which address to use.`,
      });
    }
    return ssoRoute(connection);
  },

  /**
   * The sign-in a person whose domain a workspace reserves for its SSO must use, when `via` (the connection they
   * signed in through, or null) is not it; null when any sign-in will do. A claim no instance administrator has
   * verified reserves nothing: otherwise any workspace could lock everyone of a domain out of the instance.
   */
  async requiredConnection({ db, email, via }: { db: Db; email: string; via: string | null }): Promise<{ id: string; route: SsoRoute } | null> {
    const connection = await ssoService.connectionForEmail({ db, email });
    if (!connection?.requireSso || !connection.verified || connection.id === via) return null;
    return { id: connection.id, route: ssoRoute(connection) };
  },

  /** One OIDC connection's issuer and client with the secret opened, for the provider that signs in through it. */
  async oidcClient({ db, box, connectionId }: { db: Db; box: SecretBox; connectionId: string }) {
    const row = await db.ssoConnection.findUnique({
      where: { id: connectionId },
      select: { id: true, workspaceId: true, protocol: true, enabled: true, oidcIssuer: true, oidcClientId: true, oidcClientSecret: true, updatedAt: true },
    });
    if (!row || row.protocol !== "oidc" || !row.enabled || !row.oidcIssuer || !row.oidcClientId || !row.oidcClientSecret) return null;
    return {
      id: row.id,
      issuer: row.oidcIssuer,
      clientId: row.oidcClientId,
      clientSecret: box.open({ sealed: row.oidcClientSecret, context: row.workspaceId }),
      updatedAt: row.updatedAt,
    };
  },

  /**
   * The one sign-in policy of both protocols. The email must be verified and its domain claimed by this very
   * connection's workspace, so an identity asserted by one workspace's provider never reaches another workspace.
   * The user is the one linked to the provider's subject, else the one with that email (linked now: this
   * workspace claims the domain), else a new one. A person who is not a member joins with the default role when
   * just-in-time provisioning is on, and is refused when it is off.
   *
   * Until an instance administrator verifies the domain's claim, the workspace's provider signs nobody in: any
   * workspace admin can claim any domain, and their provider can assert any address in it. Joining an existing
   * account by email would hand it over; even a new account would not be safe, as it would wait for its owner-to-be
   * to sign in another way and be joined by email then, with the provider still holding a way in.
   */
  async signIn({
    db,
    connectionId,
    identity,
    instanceAdmins = [],
  }: {
    db: Db;
    connectionId: string;
    identity: SsoIdentity;
    instanceAdmins?: string[];
  }): Promise<SignedInUser & { workspaceId: string }> {
    const email = identity.email.trim().toLowerCase();
    const connection = await db.ssoConnection.findUnique({
      where: { id: connectionId },
      select: {
        id: true,
        workspaceId: true,
        protocol: true,
        enabled: true,
        defaultRole: true,
        jitProvisioning: true,
        workspace: { select: { name: true } },
        domains: { select: { domain: true, verifiedAt: true } },
      },
    });
    if (!connection) return refuse({ db, connection: null, email, refusal: "SsoDisabled", message: "This single sign-on no longer exists." });
    if (!connection.enabled) return refuse({ db, connection, email, refusal: "SsoDisabled", message: "This workspace's single sign-on is turned off." });
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      return refuse({ db, connection, email, refusal: "SsoEmailUnverified", message: "The identity provider shared no email address." });
    }
    if (!identity.emailVerified) {
      return refuse({ db, connection, email, refusal: "SsoEmailUnverified", message: `The identity provider has not verified ${email}.` });
    }
    const domain = emailDomain(email);
    const claim = connection.domains.find((d) => d.domain === domain);
    if (!claim) {
      return refuse({ db, connection, email, refusal: "SsoDomainNotClaimed", message: `${domain} is not a domain this workspace's single sign-on accepts.` });
    }
    if (claim.verifiedAt === null) {
      return refuse({
        db,
        connection,
        email,
        refusal: "SsoDomainUnverified",
        message: `No instance administrator has verified yet that ${domain} belongs to ${connection.workspace.name}, so its single sign-on signs nobody in: ask an administrator of this Streamware instance to verify the domain, or sign in another way.`,
      });
    }
    const provider = ssoAccountProvider(connection.id);
    const linked = await db.account.findUnique({ where: { provider_providerAccountId: { provider, providerAccountId: identity.subject } }, select: { userId: true } });
    const existingId = linked?.userId ?? (await db.user.findUnique({ where: { email }, select: { id: true } }))?.id;
    const member = existingId
      ? await db.membership.findUnique({ where: { workspaceId_userId: { workspaceId: connection.workspaceId, userId: existingId } }, select: { role: true } })
      : null;
    if (!member && !connection.jitProvisioning) {
      return refuse({ db, connection, email, refusal: "SsoNotMember", message: `${email} is not a member of ${connection.workspace.name}.` });
    }
    const user = await userService.signIn({
      db,
      identity: { provider, providerAccountId: identity.subject, email, name: identity.name },
      instanceAdmins,
    });
    await db.$transaction(async (tx) => {
      const joined = member ? null : await tx.membership.createMany({ data: [{ workspaceId: connection.workspaceId, userId: user.id, role: connection.defaultRole }], skipDuplicates: true });
      if (joined?.count) {
        await auditService.record({
          tx,
          entry: { workspaceId: connection.workspaceId, actorId: user.id, action: "sso.provision", targetType: "user", targetId: user.id, data: { email, role: connection.defaultRole, connectionId: connection.id } },
        });
      }
      await auditService.record({
        tx,
        entry: { workspaceId: connection.workspaceId, actorId: user.id, action: "sso.signIn", targetType: "ssoConnection", targetId: connection.id, data: { protocol: connection.protocol, email, subject: identity.subject } },
      });
    });
    return { ...user, workspaceId: connection.workspaceId };
  },
};
