import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type OidcProviderHandle } from "../../e2e/support/oidc-provider";
import { createHttpClient, type SafeHttpClient } from "../../runner/http-client";
import { createSecretBox } from "../crypto/secret-box";
import { useTestDatabase } from "../db/test-databases";
import { ServiceError } from "./service-error";
import { ssoService, type OidcSettings } from "./sso-service";
import { userService } from "./user-service";
import { workspaceService } from "./workspace-service";

const box = createSecretBox({ currentKey: randomBytes(32).toString("base64") });

/** A stand-in for what some misconfigured issuer answers at its discovery address. */
async function startFakeIssuer(answer: (base: string) => { status: number; type: string; body: string }) {
  const server = http.createServer((req, res) => {
    const { status, type, body } = answer(base);
    res.writeHead(status, { "content-type": type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return error as ServiceError;
}

describe("workspace single sign-on", () => {
  const database = useTestDatabase("postgres");
  let idp: OidcProviderHandle;
  let other: OidcProviderHandle;
  let loopback: SafeHttpClient;

  beforeAll(async () => {
    idp = await startOidcProvider({ port: 0, appOrigins: ["http://localhost:39998"], emailDomain: "acme.test" });
    other = await startOidcProvider({ port: 0, appOrigins: ["http://localhost:39998"], emailDomain: "globex.test" });
    loopback = createHttpClient({ allow: ["127.0.0.1"] });
  });
  afterAll(async () => {
    await loopback?.close();
    await idp?.close();
    await other?.close();
  });

  /** An admin (signed in by the development sign-in at an unclaimed domain) and their workspace. */
  async function workspaceWithAdmin(name: string) {
    const { db } = database;
    const admin = await userService.signIn({ db, identity: { provider: "dev", email: `${name.toLowerCase().replace(/\W+/g, "-")}-admin-${randomBytes(3).toString("hex")}@admins.test` } });
    const workspace = await workspaceService.create({ db, userId: admin.id, name });
    return { admin, workspaceId: workspace.id };
  }

  function settings(provider: OidcProviderHandle, overrides: Partial<OidcSettings> = {}): OidcSettings {
    return {
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      domains: [],
      defaultRole: "editor",
      jitProvisioning: true,
      requireSso: false,
      enabled: true,
      ...overrides,
    };
  }

  // An instance administrator named by INSTANCE_ADMINS (the instance's first user is someone else).
  let rootPromise: Promise<{ id: string; email: string }> | undefined;
  const root = () => (rootPromise ??= userService.signIn({ db: database.db, identity: { provider: "dev", email: "root@instance.test" }, instanceAdmins: ["root@instance.test"] }));

  /** A workspace whose admin (not an instance administrator) claims `domain`; `verified` has an instance administrator vouch for it. */
  async function configured({ name, provider, domain, overrides, verified = false }: { name: string; provider: OidcProviderHandle; domain: string; overrides?: Partial<OidcSettings>; verified?: boolean }) {
    const { admin, workspaceId } = await workspaceWithAdmin(name);
    const saved = await ssoService.saveOidc({ db: database.db, box, http: loopback, actor: admin, workspaceId, settings: settings(provider, { domains: [domain], ...overrides }) });
    if (verified) await ssoService.decideClaim({ db: database.db, actorId: (await root()).id, domain, connectionId: saved.id, decision: "verify" });
    return { admin, workspaceId, connectionId: saved.id };
  }

  it("saves an OIDC connection checked against the issuer's discovery, never showing the secret and keeping it when left blank", async () => {
    const { db } = database;
    const { admin, workspaceId } = await workspaceWithAdmin("Initech");
    const saved = await ssoService.saveOidc({ db, box, http: loopback, actor: admin, workspaceId, settings: settings(idp, { domains: [" Initech.TEST ", "@initech.test", "mail.initech.test"], defaultRole: "viewer" }) });
    expect(saved).toMatchObject({
      protocol: "oidc",
      enabled: true,
      defaultRole: "viewer",
      domains: ["initech.test", "mail.initech.test"],
      oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecretSet: true },
      route: { protocol: "oidc", providerId: `sso-${saved.id}` },
    });
    expect(JSON.stringify(await ssoService.get({ db, workspaceId }))).not.toContain(idp.clientSecret);
    const sealed = (await db.ssoConnection.findUniqueOrThrow({ where: { workspaceId }, select: { oidcClientSecret: true } })).oidcClientSecret!;
    expect(sealed).not.toContain(idp.clientSecret);
    expect(box.open({ sealed, context: workspaceId })).toBe(idp.clientSecret);

    const edited = await ssoService.saveOidc({ db, box, http: loopback, actor: admin, workspaceId, settings: settings(idp, { clientSecret: "", domains: ["initech.test"], jitProvisioning: false }) });
    expect(edited).toMatchObject({ id: saved.id, jitProvisioning: false, domains: ["initech.test"], oidc: { clientSecretSet: true } });
    expect((await db.ssoConnection.findUniqueOrThrow({ where: { workspaceId }, select: { oidcClientSecret: true } })).oidcClientSecret).toBe(sealed);

    await ssoService.delete({ db, actor: admin, workspaceId });
    expect(await ssoService.get({ db, workspaceId })).toBeNull();
    expect(await db.ssoDomain.count({ where: { domain: "initech.test" } })).toBe(0);
    const actions = await db.auditEvent.findMany({ where: { workspaceId, action: { startsWith: "sso." } }, orderBy: { seq: "asc" }, select: { action: true, data: true } });
    expect(actions.map((a) => a.action)).toEqual(["sso.create", "sso.update", "sso.delete"]);
    expect(JSON.stringify(actions)).not.toContain(idp.clientSecret);
  });

  it("refuses an issuer whose discovery document is missing, foreign, malformed or incomplete, on the issuer field", async () => {
    const { db } = database;
    const { admin, workspaceId } = await workspaceWithAdmin("Hooli");
    const save = (overrides: Partial<OidcSettings>, client: SafeHttpClient = loopback) =>
      failure(ssoService.saveOidc({ db, box, http: client, actor: admin, workspaceId, settings: settings(idp, { domains: ["hooli.test"], ...overrides }) }));

    const notFound = await save({ issuer: `${idp.issuer}/realms/nowhere` });
    expect(notFound.details).toEqual({ field: "issuer" });
    expect(notFound.message).toMatch(/answered HTTP 404/);

    // The same provider reached by another name names itself differently: its tokens would not match.
    const foreign = await save({ issuer: idp.issuer.replace("127.0.0.1", "localhost") }, createHttpClient({ allow: ["127.0.0.1", "localhost"] }));
    expect(foreign.details).toEqual({ field: "issuer" });
    expect(foreign.message).toContain(`names the issuer "${idp.issuer}"`);

    const html = await startFakeIssuer(() => ({ status: 200, type: "text/html", body: "<html>Welcome</html>" }));
    const incomplete = await startFakeIssuer((base) => ({ status: 200, type: "application/json", body: JSON.stringify({ issuer: base, authorization_endpoint: `${base}/auth` }) }));
    try {
      expect((await save({ issuer: html.base })).message).toMatch(/not an OpenID Connect discovery document/);
      const missing = await save({ issuer: incomplete.base });
      expect(missing.details).toEqual({ field: "issuer" });
      expect(missing.message).toContain("token_endpoint, jwks_uri");
    } finally {
      await html.close();
      await incomplete.close();
    }

    // Without an allow list the SSRF-safe client refuses the loopback address outright.
    const strict = createHttpClient();
    try {
      expect((await save({}, strict)).message).toMatch(/Refused to connect to 127\.0\.0\.1/);
    } finally {
      await strict.close();
    }
    expect((await save({ issuer: "ftp://idp.example.com" })).details).toEqual({ field: "issuer" });
    expect((await save({ clientSecret: "" })).details).toEqual({ field: "clientSecret" });
    expect((await save({ domains: ["not a domain"] })).details).toEqual({ field: "domains" });
    expect(await ssoService.get({ db, workspaceId })).toBeNull();
  });

  it("stores a SAML connection's parsed metadata in place of the OIDC settings, and routes its people to the SAML sign-in", async () => {
    const { db } = database;
    const { admin, workspaceId, connectionId } = await configured({ name: "Switcher", provider: idp, domain: "switcher.test" });
    const metadata = { url: "https://idp.switcher.test/metadata", xml: null, idpEntityId: "https://idp.switcher.test", idpSsoUrl: "https://idp.switcher.test/sso", certificates: ["MIIBfake"] };
    const common = { domains: ["switcher.test"], defaultRole: "viewer" as const, jitProvisioning: true, requireSso: false, enabled: true };
    expect((await failure(ssoService.saveSaml({ db, actor: admin, workspaceId, settings: common, metadata: { ...metadata, certificates: [] } }))).details).toEqual({ field: "metadata" });

    const saved = await ssoService.saveSaml({ db, actor: admin, workspaceId, settings: common, metadata });
    expect(saved).toMatchObject({
      id: connectionId,
      protocol: "saml",
      oidc: null,
      saml: { metadataUrl: metadata.url, idpEntityId: metadata.idpEntityId, idpSsoUrl: metadata.idpSsoUrl, certificateCount: 1 },
      route: { protocol: "saml", url: `/api/sso/saml/${connectionId}/login` },
    });
    expect(await db.ssoConnection.findUniqueOrThrow({ where: { id: connectionId }, select: { oidcIssuer: true, oidcClientSecret: true } })).toEqual({ oidcIssuer: null, oidcClientSecret: null });
    expect(await ssoService.routeForEmail({ db, email: "someone@switcher.test" })).toEqual({ protocol: "saml", url: `/api/sso/saml/${connectionId}/login` });
    // Back to OIDC, a client secret is needed again: the old one went with the switch.
    const noSecret = await failure(ssoService.saveOidc({ db, box, http: loopback, actor: admin, workspaceId, settings: settings(idp, { clientSecret: "", domains: ["switcher.test"] }) }));
    expect(noSecret.details).toEqual({ field: "clientSecret" });
  });

  it("lets a domain be claimed by one workspace only, without naming the one that has it", async () => {
    const { db } = database;
    await configured({ name: "Umbrella Secret Labs", provider: idp, domain: "umbrella.test" });
    const { admin, workspaceId } = await workspaceWithAdmin("Rival");
    const error = await failure(ssoService.saveOidc({ db, box, http: loopback, actor: admin, workspaceId, settings: settings(other, { domains: ["rival.test", "UMBRELLA.test"] }) }));
    expect(error).toMatchObject({ code: "CONFLICT", details: { field: "domains" } });
    expect(error.message).toContain("umbrella.test is already claimed by another workspace");
    expect(error.message).not.toMatch(/Umbrella Secret Labs/i);
    expect(await ssoService.get({ db, workspaceId })).toBeNull();
    expect(await ssoService.connectionForEmail({ db, email: "x@rival.test" })).toBeNull();
  });

  it("signs a verified person of a claimed domain in, provisioning them with the default role, and links them by subject after", async () => {
    const { db } = database;
    const { workspaceId, connectionId } = await configured({ name: "Acme", provider: idp, domain: "acme.test", overrides: { defaultRole: "operator" }, verified: true });
    expect(await ssoService.connectionForEmail({ db, email: "Wile@ACME.test" })).toMatchObject({ id: connectionId, workspaceId, protocol: "oidc" });

    const first = await ssoService.signIn({ db, connectionId, identity: { subject: "wile", email: "Wile@acme.test", emailVerified: true, name: "Wile E." } });
    expect(first).toMatchObject({ email: "wile@acme.test", name: "Wile E.", workspaceId });
    expect(await workspaceService.requireRole({ db, userId: first.id, workspaceId, permission: "run.control" })).toBe("operator");
    // The subject, not the email, finds the person again (the provider may change the address within the domain).
    const again = await ssoService.signIn({ db, connectionId, identity: { subject: "wile", email: "coyote@acme.test", emailVerified: true } });
    expect(again.id).toBe(first.id);
    const events = await db.auditEvent.findMany({ where: { workspaceId, action: { startsWith: "sso.sign" } }, select: { action: true, actorId: true } });
    expect(events).toEqual([
      { action: "sso.signIn", actorId: first.id },
      { action: "sso.signIn", actorId: first.id },
    ]);
    expect(await db.auditEvent.count({ where: { workspaceId, action: "sso.provision" } })).toBe(1);

    // An instance administrator disabled the account: the provider's word does not bring it back.
    await db.user.update({ where: { id: first.id }, data: { disabledAt: new Date() } });
    const disabled = await failure(ssoService.signIn({ db, connectionId, identity: { subject: "wile", email: "wile@acme.test", emailVerified: true } }));
    expect(disabled).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("This account is disabled") });
  });

  it("links an existing account by email only because the workspace claims its domain", async () => {
    const { db } = database;
    const existing = await userService.signIn({ db, identity: { provider: "dev", email: "bugs@looney.test" } });
    const { workspaceId, connectionId } = await configured({ name: "Looney", provider: idp, domain: "looney.test", verified: true });
    const signedIn = await ssoService.signIn({ db, connectionId, identity: { subject: "bugs-subject", email: "bugs@looney.test", emailVerified: true } });
    expect(signedIn.id).toBe(existing.id);
    expect(await db.account.findMany({ where: { userId: existing.id }, select: { provider: true, providerAccountId: true } })).toEqual([{ provider: `sso:${connectionId}`, providerAccountId: "bugs-subject" }]);
    expect(await workspaceService.requireRole({ db, userId: existing.id, workspaceId, permission: "flow.edit" })).toBe("editor");
  });

  it("refuses an unverified email, a domain this connection does not claim, and a non-member when provisioning is off", async () => {
    const { db } = database;
    const a = await configured({ name: "Provider A", provider: idp, domain: "a-corp.test" });
    const b = await configured({ name: "Provider B", provider: other, domain: "b-corp.test", overrides: { jitProvisioning: false }, verified: true });

    const unverified = await failure(ssoService.signIn({ db, connectionId: a.connectionId, identity: { subject: "u1", email: "eve@a-corp.test", emailVerified: false } }));
    expect(unverified).toMatchObject({ code: "FORBIDDEN", details: { refusal: "SsoEmailUnverified" } });

    // A's provider vouching for someone of B's domain does not make them anything in B, nor in A.
    const crossing = await failure(ssoService.signIn({ db, connectionId: a.connectionId, identity: { subject: "mallory", email: "mallory@b-corp.test", emailVerified: true } }));
    expect(crossing).toMatchObject({ details: { refusal: "SsoDomainNotClaimed" } });
    expect(crossing.message).toContain("b-corp.test is not a domain");

    const outsider = await failure(ssoService.signIn({ db, connectionId: b.connectionId, identity: { subject: "nobody", email: "nobody@b-corp.test", emailVerified: true } }));
    expect(outsider).toMatchObject({ details: { refusal: "SsoNotMember" } });
    expect(outsider.message).toBe("nobody@b-corp.test is not a member of Provider B.");

    expect(await db.user.count({ where: { email: { in: ["eve@a-corp.test", "mallory@b-corp.test", "nobody@b-corp.test"] } } })).toBe(0);
    const failures = async (workspaceId: string) =>
      (await db.auditEvent.findMany({ where: { workspaceId, action: "sso.signInFailed" }, orderBy: { seq: "asc" }, select: { data: true } })).map((e) => (e.data as { email: string }).email);
    expect(await failures(a.workspaceId)).toEqual(["eve@a-corp.test", "mallory@b-corp.test"]);
    expect(await failures(b.workspaceId)).toEqual(["nobody@b-corp.test"]);

    await db.ssoConnection.update({ where: { id: a.connectionId }, data: { enabled: false } });
    const off = await failure(ssoService.signIn({ db, connectionId: a.connectionId, identity: { subject: "ann", email: "ann@a-corp.test", emailVerified: true } }));
    expect(off).toMatchObject({ details: { refusal: "SsoDisabled" } });
    expect(await ssoService.connectionForEmail({ db, email: "ann@a-corp.test" })).toBeNull();
  });

  it("requires the workspace's own sign-in for its domains once \"require SSO\" is on, and will not lock out the admin turning it on", async () => {
    const { db } = database;
    const { admin, workspaceId, connectionId } = await configured({ name: "Strict", provider: idp, domain: "strict.test", verified: true });
    expect(await ssoService.requiredConnection({ db, email: "x@strict.test", via: null })).toBeNull();

    const member = await ssoService.signIn({ db, connectionId, identity: { subject: "sam", email: "sam@strict.test", emailVerified: true } });
    const lockout = await failure(
      ssoService.saveOidc({ db, box, http: loopback, actor: { ...member, ssoConnectionId: null }, workspaceId, settings: settings(idp, { clientSecret: "", domains: ["strict.test"], requireSso: true }) }),
    );
    expect(lockout.details).toEqual({ field: "requireSso" });
    await ssoService.saveOidc({ db, box, http: loopback, actor: { ...member, ssoConnectionId: connectionId }, workspaceId, settings: settings(idp, { clientSecret: "", domains: ["strict.test"], requireSso: true }) });

    expect(await ssoService.requiredConnection({ db, email: "sam@strict.test", via: null })).toEqual({ id: connectionId, route: { protocol: "oidc", providerId: `sso-${connectionId}` } });
    expect(await ssoService.requiredConnection({ db, email: "sam@strict.test", via: "sso-elsewhere" })).not.toBeNull();
    expect(await ssoService.requiredConnection({ db, email: "sam@strict.test", via: connectionId })).toBeNull();
    expect(await ssoService.requiredConnection({ db, email: admin.email, via: null })).toBeNull();
  });

  it("keeps a claim pending until an instance administrator verifies it: its provider signs nobody in, new or existing", async () => {
    const { db } = database;
    const existing = await userService.signIn({ db, identity: { provider: "dev", email: "daffy@pending.test" } });
    const { workspaceId, connectionId } = await configured({ name: "Duck Corp", provider: idp, domain: "pending.test" });
    expect((await ssoService.get({ db, workspaceId }))?.claims).toEqual([{ domain: "pending.test", verifiedAt: null }]);
    expect(await ssoService.routeForEmail({ db, email: "anyone@pending.test" })).toEqual({ protocol: "oidc", providerId: `sso-${connectionId}` });

    const takeover = await failure(ssoService.signIn({ db, connectionId, identity: { subject: "daffy-at-idp", email: "daffy@pending.test", emailVerified: true } }));
    expect(takeover).toMatchObject({ code: "FORBIDDEN", details: { refusal: "SsoDomainUnverified" } });
    expect(takeover.message).toContain("No instance administrator has verified yet that pending.test belongs to Duck Corp");
    expect(takeover.message).toContain("ask an administrator of this Streamware instance to verify the domain");
    expect(await db.account.count({ where: { userId: existing.id } })).toBe(0);
    expect(await db.membership.count({ where: { workspaceId, userId: existing.id } })).toBe(0);

    // A new account would be joined by email later, when its owner-to-be signs in another way: not made either.
    const preMade = await failure(ssoService.signIn({ db, connectionId, identity: { subject: "porky", email: "porky@pending.test", emailVerified: true } }));
    expect(preMade).toMatchObject({ details: { refusal: "SsoDomainUnverified" } });
    const boss = await failure(ssoService.signIn({ db, connectionId, identity: { subject: "boss", email: "boss@pending.test", emailVerified: true }, instanceAdmins: ["boss@pending.test"] }));
    expect(boss).toMatchObject({ details: { refusal: "SsoDomainUnverified" } });
    expect(await db.user.count({ where: { email: { in: ["porky@pending.test", "boss@pending.test"] } } })).toBe(0);

    const admin = await root();
    expect(await ssoService.decideClaim({ db, actorId: admin.id, domain: "pending.test", connectionId, decision: "verify" })).toEqual({ domain: "pending.test", verified: true });
    expect(await db.ssoDomain.findUniqueOrThrow({ where: { domain: "pending.test" }, select: { verifiedById: true, verifiedAt: true } })).toEqual({ verifiedById: admin.id, verifiedAt: expect.any(Date) });
    const linked = await ssoService.signIn({ db, connectionId, identity: { subject: "daffy-at-idp", email: "daffy@pending.test", emailVerified: true } });
    expect(linked.id).toBe(existing.id);
    const promoted = await ssoService.signIn({ db, connectionId, identity: { subject: "boss", email: "boss@pending.test", emailVerified: true }, instanceAdmins: ["boss@pending.test"] });
    expect(await db.user.findUniqueOrThrow({ where: { id: promoted.id }, select: { instanceAdmin: true } })).toEqual({ instanceAdmin: true });
    const porky = await ssoService.signIn({ db, connectionId, identity: { subject: "porky", email: "porky@pending.test", emailVerified: true } });
    expect(await workspaceService.requireRole({ db, userId: porky.id, workspaceId, permission: "flow.edit" })).toBe("editor");

    const instanceEvents = await db.auditEvent.findMany({ where: { chain: "instance", action: "sso.domainVerify", targetId: connectionId }, select: { actorId: true, data: true } });
    expect(instanceEvents).toEqual([{ actorId: admin.id, data: { domain: "pending.test", workspaceId, protocol: "oidc" } }]);
    expect(await db.auditEvent.count({ where: { workspaceId, action: "sso.domainVerify" } })).toBe(1);
    expect(await db.auditEvent.count({ where: { workspaceId, action: "sso.signInFailed" } })).toBe(3);
  });

  it("enforces require SSO only for a verified claim; a revoked one stops it, and a rejected one is gone", async () => {
    const { db } = database;
    const { connectionId, workspaceId } = await configured({ name: "Lockers", provider: idp, domain: "lockers.test", overrides: { requireSso: true } });
    expect(await ssoService.requiredConnection({ db, email: "lou@lockers.test", via: null })).toBeNull();

    const admin = await root();
    const decide = (decision: "verify" | "revoke" | "reject", connection = connectionId) => ssoService.decideClaim({ db, actorId: admin.id, domain: "lockers.test", connectionId: connection, decision });
    await decide("verify");
    expect(await ssoService.requiredConnection({ db, email: "lou@lockers.test", via: null })).toMatchObject({ id: connectionId });
    expect(await ssoService.requiredConnection({ db, email: "lou@lockers.test", via: connectionId })).toBeNull();
    expect((await failure(decide("reject"))).message).toContain("revoke the verification first");
    expect((await failure(decide("verify", "another-connection"))).code).toBe("NOT_FOUND");

    await decide("revoke");
    expect(await ssoService.requiredConnection({ db, email: "lou@lockers.test", via: null })).toBeNull();
    await decide("reject");
    expect(await ssoService.connectionForEmail({ db, email: "lou@lockers.test" })).toBeNull();
    expect((await ssoService.get({ db, workspaceId }))?.domains).toEqual([]);
    const actions = await db.auditEvent.findMany({ where: { chain: "instance", targetId: connectionId }, orderBy: { seq: "asc" }, select: { action: true } });
    expect(actions.map((a) => a.action)).toEqual(["sso.domainVerify", "sso.domainRevoke", "sso.domainReject"]);
  });

  it("verifies at once what an instance administrator claims, and lists every claim to administrators, pending first", async () => {
    const { db } = database;
    const admin = await root();
    const own = await workspaceService.create({ db, userId: admin.id, name: "Root's company" });
    const saved = await ssoService.saveOidc({ db, box, http: loopback, actor: admin, workspaceId: own.id, settings: settings(idp, { domains: ["rootcorp.test"], requireSso: true }) });
    expect(saved.claims).toEqual([{ domain: "rootcorp.test", verifiedAt: expect.any(Date) }]);
    expect(await ssoService.requiredConnection({ db, email: "staff@rootcorp.test", via: null })).toMatchObject({ id: saved.id });
    expect(await db.auditEvent.findFirst({ where: { chain: "instance", action: "sso.domainVerify", targetId: saved.id }, select: { data: true } })).toEqual({
      data: { domains: ["rootcorp.test"], workspaceId: own.id, claimedByInstanceAdmin: true },
    });
    const pending = await configured({ name: "Later Corp", provider: other, domain: "later.test" });

    const list = await ssoService.listClaims({ db, page: 1, pageSize: 100 });
    expect(list.pending).toBeGreaterThanOrEqual(1);
    const verifiedAt = list.claims.map((c) => c.verifiedAt);
    expect(verifiedAt.findIndex((v) => v !== null)).toBeGreaterThanOrEqual(list.pending);
    expect(list.claims.find((c) => c.domain === "later.test")).toMatchObject({ connectionId: pending.connectionId, protocol: "oidc", verifiedAt: null, verifiedBy: null, workspace: { id: pending.workspaceId, name: "Later Corp" } });
    expect(list.claims.find((c) => c.domain === "rootcorp.test")).toMatchObject({ verifiedBy: admin.email });
    expect((await ssoService.listClaims({ db, search: "ROOT's", page: 1, pageSize: 10 })).claims.map((c) => c.domain)).toEqual(["rootcorp.test"]);
  });
});
