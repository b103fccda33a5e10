import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type OidcProviderHandle } from "../e2e/support/oidc-provider";
import { createHttpClient, type SafeHttpClient } from "../runner/http-client";
import { createSecretBox } from "./crypto/secret-box";
import { createTestDatabase } from "./db/test-databases";
import type { DbConnection } from "./db/connect";
import { signInAs } from "./routers/test-helpers";
import { runCli } from "./cli-process";
import { credentialService, openCredentialForRun } from "./services/credential-service";
import { ssoService } from "./services/sso-service";

const newKey = () => randomBytes(32).toString("base64");

describe("npm run cli -- rotate-key", () => {
  let connection: DbConnection;
  let dir: string;
  let idp: OidcProviderHandle;
  let loopback: SafeHttpClient;
  const oldKey = newKey();
  const currentKey = newKey();

  beforeAll(async () => {
    connection = await createTestDatabase("postgres");
    dir = await mkdtemp(path.join(os.tmpdir(), "streamware-rotate-"));
    idp = await startOidcProvider({ port: 0, appOrigins: ["http://localhost:39998"], emailDomain: "acme.test" });
    loopback = createHttpClient({ allow: ["127.0.0.1"] });
  });
  afterAll(async () => {
    await loopback?.close();
    await idp?.close();
    await connection?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function cli(keys: { current: string; previous?: string }, ...args: string[]) {
    if (connection.target.kind !== "postgres") throw new Error("expected a PostgreSQL test database");
    const { REDIS_URL: _redis, ...inherited } = process.env;
    const env = {
      ...inherited,
      DATABASE_URL: connection.target.url,
      DATA_DIR: dir,
      NEXTAUTH_SECRET: newKey(),
      STREAMWARE_ENCRYPTION_KEY: keys.current,
      STREAMWARE_PREVIOUS_ENCRYPTION_KEYS: keys.previous ?? "",
      LOG_LEVEL: "warn",
    };
    return runCli(env, args);
  }

  it("seals every credential and SSO client secret with the current key, still decryptable once the old key is gone, and changes nothing when a key is missing", async () => {
    const { db } = connection;
    const old = createSecretBox({ currentKey: oldKey });
    const ada = await signInAs({ db, name: "Ada" });
    const bob = await signInAs({ db, name: "Bob" });
    const made = [
      await credentialService.create({ db, box: old, userId: ada.user.id, workspaceId: ada.workspace.id, name: "Shop", type: "http.header-auth", data: { name: "X-Key", value: "ada-secret" } }),
      await credentialService.create({ db, box: old, userId: bob.user.id, workspaceId: bob.workspace.id, name: "Shop", type: "http.header-auth", data: { name: "X-Key", value: "bob-secret" } }),
    ];
    // Each workspace's single sign-on through the provider, its client secret sealed with the old key.
    const sso = await Promise.all(
      [ada, bob].map((who) =>
        ssoService.saveOidc({
          db,
          box: old,
          http: loopback,
          actor: who.user,
          workspaceId: who.workspace.id,
          settings: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, domains: [], defaultRole: "editor", jitProvisioning: true, requireSso: false, enabled: true },
        }),
      ),
    );
    const secrets = () => db.ssoConnection.findMany({ select: { id: true, oidcClientSecret: true }, orderBy: { id: "asc" } });
    const before = await db.credential.findMany({ select: { id: true, ciphertext: true, updatedAt: true }, orderBy: { id: "asc" } });
    const secretsBefore = await secrets();
    expect(secretsBefore).toHaveLength(2);

    // Without the old key, nothing opens: the rotation stops with the reason, and every secret stays as it was.
    const missing = await cli({ current: currentKey }, "rotate-key");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("which is not configured. Set STREAMWARE_ENCRYPTION_KEY to it, or add it to STREAMWARE_PREVIOUS_ENCRYPTION_KEYS.");
    expect(await db.credential.findMany({ select: { id: true, ciphertext: true, updatedAt: true }, orderBy: { id: "asc" } })).toEqual(before);
    expect(await secrets()).toEqual(secretsBefore);

    const rotated = await cli({ current: currentKey, previous: oldKey }, "rotate-key");
    expect(rotated.stderr).toBe("");
    expect(rotated).toMatchObject({ code: 0, stdout: "Sealed with the current key: 2 credentials and 2 SSO client secrets anew; 0 credentials and 0 SSO client secrets had it already.\n" });
    const after = await db.credential.findMany({ select: { id: true, ciphertext: true, updatedAt: true }, orderBy: { id: "asc" } });
    expect(after.map((row) => row.updatedAt)).toEqual(before.map((row) => row.updatedAt));
    expect(after.every((row, i) => row.ciphertext !== before[i]!.ciphertext)).toBe(true);
    const secretsAfter = await secrets();
    expect(secretsAfter.every((row, i) => row.oidcClientSecret !== secretsBefore[i]!.oidcClientSecret)).toBe(true);

    // The old key can go: the current one alone opens every secret, each in its own workspace.
    const current = createSecretBox({ currentKey });
    expect(after.every((row) => current.sealedWithCurrentKey(row.ciphertext))).toBe(true);
    expect(secretsAfter.every((row) => current.sealedWithCurrentKey(row.oidcClientSecret!))).toBe(true);
    for (const { id } of sso) expect(await ssoService.oidcClient({ db, box: current, connectionId: id })).toMatchObject({ clientId: idp.clientId, clientSecret: idp.clientSecret });
    expect(await openCredentialForRun({ db, box: current, workspaceId: ada.workspace.id, ref: { id: made[0]!.id, name: "Shop" }, type: "http.header-auth" })).toEqual({ name: "X-Key", value: "ada-secret" });
    expect(await openCredentialForRun({ db, box: current, workspaceId: bob.workspace.id, ref: { id: made[1]!.id, name: "Shop" }, type: "http.header-auth" })).toEqual({ name: "X-Key", value: "bob-secret" });

    const again = await cli({ current: currentKey }, "rotate-key");
    expect(again).toMatchObject({ code: 0, stdout: "Sealed with the current key: 0 credentials and 0 SSO client secrets anew; 2 credentials and 2 SSO client secrets had it already.\n" });
    const refused = await cli({ current: currentKey }, "rotate-key", "--user", "ada@example.test");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--user is not an option of "rotate-key"');
  });
});
