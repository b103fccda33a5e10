import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { FLOW_EXPORT_TAG } from "../../nodes/_interop/transfer-files";
import { useTestDatabase } from "../db/test-databases";
import { longRunningFlow, victimWorkspace } from "../routers/procedure-calls";
import { addMember, secretBox, signInAs } from "../routers/test-helpers";
import { useTestRuntime } from "../test-runtime";
import { createRestApi, type RestApiOptions } from "./rest-api";
import { restRoutes } from "./rest-routes";

type Api = { url: string; close(): Promise<void> };

/** The REST API behind a plain HTTP server on loopback, as the custom server mounts it; 418 for anything else. */
async function serveApi(options: Omit<RestApiOptions, "secretBox" | "logger" | "maxBodyBytes" | "keyCacheMs"> & Partial<RestApiOptions>): Promise<Api> {
  const api = createRestApi({ secretBox, logger: pino({ level: "silent" }), maxBodyBytes: 64 * 1024, keyCacheMs: 30_000, ...options });
  const server: Server = createServer((req, res) => {
    req.headers["x-streamware-client-ip"] = req.socket.remoteAddress ?? "";
    if (!api.handle(req, res)) res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    close: async () => {
      api.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Answer {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
  headers: Headers;
}

async function call(api: Api, { key, method = "GET", path, body, headers = {} }: { key?: string; method?: string; path: string; body?: unknown; headers?: Record<string, string> }): Promise<Answer> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }), "user-agent": "rest-api-test/1", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const answer = { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
  heldToTheDocument({ method, path, ...answer });
  return answer;
}

/** Every answer is what the OpenAPI document says: a success its route's response schema, a failure the error shape. */
function heldToTheDocument({ method, path, status, body }: { method: string; path: string; status: number; body: unknown }) {
  const pathname = path.split("?")[0]!;
  if (pathname === "/openapi.json") return;
  if (status >= 400) {
    expect(body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
    return;
  }
  const route = restRoutes.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{\w+\}/g, "[^/]+")}$`).test(pathname));
  expect({ method, path: pathname, documented: Boolean(route), status }).toEqual({ method, path: pathname, documented: true, status: route?.status ?? 200 });
  const checked = route!.response.safeParse(body);
  expect({ method, path: pathname, issues: checked.error?.issues ?? [] }).toEqual({ method, path: pathname, issues: [] });
}

describe("REST API over HTTP", () => {
  const database = useTestDatabase("postgres");
  useTestRuntime(database);
  let api: Api;

  beforeAll(async () => {
    api = await serveApi({ db: database.db, rateLimitPerMinute: 0 });
  });
  afterAll(() => api?.close());

  async function workspaceWithKey(scopes: ("read" | "run" | "write" | "admin")[]) {
    const owner = await signInAs({ db: database.db, name: "Owner" });
    const made = await owner.caller.apiKey.create({ workspaceId: owner.workspace.id, name: `Key ${scopes.join("+")}`, scopes });
    return { owner, key: made.secret, keyId: made.key.id };
  }

  it("refuses requests without a valid key with 401 and a JSON error", async () => {
    const missing = await call(api, { path: "/flows" });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toEqual({ code: "UNAUTHORIZED", message: expect.stringContaining("Authorization: Bearer swk_") });
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    expect((await call(api, { path: "/flows", key: "not-a-key" })).body.error?.message).toContain('keys start with "swk_"');
    const unknown = await call(api, { path: "/flows", key: `swk_${"x".repeat(43)}` });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error?.message).toContain("not valid");
  });

  it("serves the OpenAPI document without a key, with bearer auth and every operation", async () => {
    const doc = await call(api, { path: "/openapi.json" });
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({ openapi: "3.1.0", components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } } });
    const paths = doc.body.paths as Record<string, Record<string, { parameters: { name: string; in: string }[]; requestBody?: { content: { "application/json": { schema: { properties: Record<string, unknown> } } } } }>>;
    expect(Object.keys(paths)).toContain("/flows/{flowId}/versions/{number}");
    // The same zod schemas as the procedures: run.list's filters are query parameters, run.start's fields the body.
    expect(paths["/runs"]!.get!.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["flowId", "status", "from", "limit", "cursor"]));
    expect(Object.keys(paths["/runs"]!.post!.requestBody!.content["application/json"].schema.properties)).toEqual(["flowId", "input", "source", "startNodeId", "onlyNodeId"]);
    expect(JSON.stringify(doc.body)).not.toContain("workspaceId");
  });

  it("lets a key do what its scopes grant and answers 403 beyond them", async () => {
    const { owner, key } = await workspaceWithKey(["read"]);
    const flow = await owner.caller.flow.create({ workspaceId: owner.workspace.id, name: "Readable", document: longRunningFlow("readable") });
    const list = await call(api, { key, path: "/flows" });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ id: flow.id, name: "Readable" })]);
    expect((await call(api, { key, path: `/flows/${flow.id}` })).body).toMatchObject({ id: flow.id, draft: { schema: FLOW_SCHEMA_TAG } });

    const start = await call(api, { key, method: "POST", path: "/runs", body: { flowId: flow.id } });
    expect(start.status).toBe(403);
    expect(start.body.error).toEqual({ code: "FORBIDDEN", message: expect.stringContaining("run or admin scope") });
    const create = await call(api, { key, method: "POST", path: "/flows", body: { name: "Not allowed" } });
    expect(create.status).toBe(403);
    expect((await owner.caller.flow.list({ workspaceId: owner.workspace.id })).map((f) => f.name)).toEqual(["Readable"]);
  });

  it("starts and cancels a run as the key, recording the key, address and user agent in the audit log", async () => {
    const { owner, key, keyId } = await workspaceWithKey(["run"]);
    const workspaceId = owner.workspace.id;
    const flow = await owner.caller.flow.create({ workspaceId, name: "Runnable", document: longRunningFlow("runnable") });
    const started = await call(api, { key, method: "POST", path: "/runs", body: { flowId: flow.id, input: { from: "api" } } });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    const run = await call(api, { key, path: `/runs/${runId}` });
    expect(run.body).toMatchObject({ id: runId, flowId: flow.id });
    expect((await call(api, { key, path: `/runs?flowId=${flow.id}&limit=5` })).body).toMatchObject({ runs: [expect.objectContaining({ id: runId })] });
    expect((await call(api, { key, method: "POST", path: `/runs/${runId}/cancel` })).status).toBe(200);

    const events = await database.db.auditEvent.findMany({ where: { workspaceId, action: { in: ["run.start", "run.cancel"] } }, orderBy: { seq: "asc" }, select: { action: true, actorKind: true, actorId: true, ip: true, userAgent: true } });
    expect(events).toEqual([
      { action: "run.start", actorKind: "apiKey", actorId: keyId, ip: "127.0.0.1", userAgent: "rest-api-test/1" },
      { action: "run.cancel", actorKind: "apiKey", actorId: keyId, ip: "127.0.0.1", userAgent: "rest-api-test/1" },
    ]);
    const log = await owner.caller.audit.list({ workspaceId, action: "run.start" });
    expect(log.events[0]).toMatchObject({ actorKind: "apiKey", actor: expect.stringMatching(/^Key run \(swk_.{8}…\)$/) });
  });

  it("creates flows, versions and credentials with the write scope, and activates with the run scope, never returning secrets", async () => {
    const { owner, key } = await workspaceWithKey(["write", "run"]);
    const document = longRunningFlow("written");
    const created = await call(api, { key, method: "POST", path: "/flows", body: { name: "Written", document } });
    expect(created.status).toBe(201);
    const flowId = created.body.id as string;
    expect((await call(api, { key, method: "PATCH", path: `/flows/${flowId}`, body: { name: "Renamed" } })).body).toMatchObject({ name: "Renamed" });
    const version = await call(api, { key, method: "POST", path: `/flows/${flowId}/versions`, body: { document, message: "from the API" } });
    expect(version.status).toBe(201);
    expect((await call(api, { key, path: `/flows/${flowId}/versions` })).body).toEqual([expect.objectContaining({ number: 1, message: "from the API" })]);
    expect((await call(api, { key, method: "PUT", path: `/flows/${flowId}/draft`, body: { document } })).status).toBe(200);
    expect((await call(api, { key, path: `/flows/${flowId}/versions/1` })).body).toMatchObject({ number: 1, message: "from the API", document: { schema: FLOW_SCHEMA_TAG } });
    expect((await call(api, { key, path: `/flows/${flowId}/versions/x` })).body.error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("number") });
    expect((await call(api, { key, method: "POST", path: `/flows/${flowId}/activate`, body: {} })).status).toBe(200);
    expect((await owner.caller.flow.get({ workspaceId: owner.workspace.id, flowId })).active).toBe(true);
    expect((await call(api, { key, method: "POST", path: `/flows/${flowId}/deactivate` })).status).toBe(200);

    const credential = await call(api, { key, method: "POST", path: "/credentials", body: { name: "Token", type: "http.header-auth", data: { name: "X-Token", value: "very-secret-value" } } });
    expect(credential.status).toBe(201);
    const listed = await call(api, { key, path: "/credentials" });
    expect(listed.body).toEqual([expect.objectContaining({ name: "Token", fields: ["name", "value"] })]);
    expect(JSON.stringify([credential.body, listed.body])).not.toContain("very-secret-value");
  });

  it("answers bad input with 400 and its issues, a wrong method with 405, a large body with 413, and a bad route with 404", async () => {
    const { key } = await workspaceWithKey(["admin"]);
    const invalid = await call(api, { key, method: "POST", path: "/flows", body: { name: "" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({ code: "BAD_REQUEST", message: "name: Give the flow a name", issues: [expect.objectContaining({ path: ["name"] })] });
    expect((await call(api, { key, method: "POST", path: "/flows", body: "{nope" })).status).toBe(400);
    expect((await call(api, { key, method: "POST", path: "/flows", body: "[]" })).body.error?.message).toBe("The body must be a JSON object.");
    const wrongMethod = await call(api, { key, method: "DELETE", path: "/flows" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET, POST");
    const large = await call(api, { key, method: "POST", path: "/flows", body: { name: "Big", document: { pad: "x".repeat(70 * 1024) } } });
    expect(large.status).toBe(413);
    expect(large.body.error?.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await call(api, { key, path: "/nothing-here" })).status).toBe(404);
    // The workspace is the key's: one named in the body is ignored.
    const other = await signInAs({ db: database.db, name: "Other" });
    const placed = await call(api, { key, method: "POST", path: "/flows", body: { name: "Mine", workspaceId: other.workspace.id } });
    expect(placed.status).toBe(201);
    expect(await other.caller.flow.list({ workspaceId: other.workspace.id })).toEqual([]);
  });

  it("refuses a revoked key at once and an expired key, and records when a key was last used", async () => {
    const { owner, key, keyId } = await workspaceWithKey(["read"]);
    expect((await call(api, { key, path: "/flows" })).status).toBe(200);
    await expect.poll(async () => (await database.db.apiKey.findUniqueOrThrow({ where: { id: keyId }, select: { lastUsedAt: true } })).lastUsedAt).toBeInstanceOf(Date);

    // The key is in the cache now; revoking it here drops it there too.
    await owner.caller.apiKey.revoke({ workspaceId: owner.workspace.id, apiKeyId: keyId });
    const revoked = await call(api, { key, path: "/flows" });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error?.message).toContain("revoked");

    const expiring = await owner.caller.apiKey.create({ workspaceId: owner.workspace.id, name: "Short-lived", scopes: ["read"], expiresAt: new Date(Date.now() + 60_000) });
    await database.db.apiKey.update({ where: { id: expiring.key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await call(api, { key: expiring.secret, path: "/flows" });
    expect(expired.status).toBe(401);
    expect(expired.body.error?.message).toContain("expired");
  });

  it("stops a key whose creator has left the workspace, and bounds a key by its creator's current role", async () => {
    const { owner } = await workspaceWithKey(["read"]);
    const admin = await signInAs({ db: database.db, name: "Admin" });
    await addMember({ db: database.db, by: owner.user, workspaceId: owner.workspace.id, user: admin.user, role: "admin" });
    const made = await admin.caller.apiKey.create({ workspaceId: owner.workspace.id, name: "Admin's", scopes: ["admin"] });
    // Demoted to viewer: the gate (the same one tRPC uses) refuses writes at once.
    await owner.caller.workspace.setRole({ workspaceId: owner.workspace.id, memberId: admin.user.id, role: "viewer" });
    const write = await call(api, { key: made.secret, method: "POST", path: "/flows", body: { name: "Beyond the creator" } });
    expect(write.status).toBe(403);
    expect((await call(api, { key: made.secret, path: "/flows" })).status).toBe(200);

    await owner.caller.workspace.removeMember({ workspaceId: owner.workspace.id, memberId: admin.user.id });
    const fresh = await serveApi({ db: database.db, rateLimitPerMinute: 0 });
    try {
      const gone = await call(fresh, { key: made.secret, path: "/flows" });
      expect(gone.status).toBe(401);
      expect(gone.body.error?.message).toContain("has left the workspace");
    } finally {
      await fresh.close();
    }
  });

  it("stops a key whose creator's account an instance administrator disabled", async () => {
    const { owner, key } = await workspaceWithKey(["read"]);
    expect((await call(api, { key, path: "/flows" })).status).toBe(200);
    await database.db.user.update({ where: { id: owner.user.id }, data: { disabledAt: new Date() } });
    const fresh = await serveApi({ db: database.db, rateLimitPerMinute: 0 });
    try {
      const refused = await call(fresh, { key, path: "/flows" });
      expect(refused.status).toBe(401);
      expect(refused.body.error?.message).toContain("account was disabled");
    } finally {
      await fresh.close();
    }
  });

  it("exports a flow and the workspace as files, and imports a file with a dry run first, within the import's own body limit", async () => {
    const { owner, key } = await workspaceWithKey(["write"]);
    const workspaceId = owner.workspace.id;
    const flow = await owner.caller.flow.create({ workspaceId, name: "Exported", document: longRunningFlow("exported") });
    await owner.caller.flow.saveVersion({ workspaceId, flowId: flow.id, document: longRunningFlow("exported"), message: "v1" });

    const exported = await fetch(`${api.url}/flows/${flow.id}/export?version=1`, { headers: { authorization: `Bearer ${key}` } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition")).toBe('attachment; filename="exported-v1.json"');
    const text = await exported.text();
    expect(text).toBe((await owner.caller.transfer.exportFlow({ workspaceId, flowId: flow.id, version: 1 })).text);
    heldToTheDocument({ method: "GET", path: `/flows/${flow.id}/export`, status: 200, body: JSON.parse(text) });
    const bundle = await call(api, { key, path: "/workspace/export?versions=true" });
    expect(bundle.body).toMatchObject({ schema: "streamware.workspace/1", flows: [{ id: flow.id, versions: [{ number: 1 }] }] });
    expect(bundle.headers.get("content-disposition")).toMatch(/^attachment; filename=".+-with-versions\.workspace\.json"$/);

    // Imported back into the same workspace, the flow clashes with itself by name (its webhook path is its own).
    const dry = await call(api, { key, method: "POST", path: "/imports?dryRun=true", body: text });
    expect(dry.body).toMatchObject({ ok: true, format: "streamware", flows: [{ key: "flow", name: "Exported", existing: { flowId: flow.id }, conflicts: [{ kind: "name" }] }] });
    const refused = await call(api, { key, method: "POST", path: "/imports", body: text });
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toContain('Choose rename, replace or skip for "Exported"');
    const imported = await call(api, { key, method: "POST", path: "/imports?onConflict=rename", body: text });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ flows: [{ key: "flow", name: "Exported (2)", action: "created" }], report: null, credentialsMissing: [] });
    expect((await owner.caller.flow.list({ workspaceId })).map((f) => f.name).sort()).toEqual(["Exported", "Exported (2)"]);

    const wrongOption = await call(api, { key, method: "POST", path: "/imports?onConflict=merge", body: text });
    expect(wrongOption.status).toBe(400);
    expect(wrongOption.body.error?.message).toContain("onConflict");
    // The import's limit, not API_MAX_BODY_BYTES (64 KB in this server), bounds the file.
    const large = JSON.stringify({ schema: FLOW_EXPORT_TAG, name: "Large", document: { ...longRunningFlow("large"), notes: [{ id: "n", text: "x".repeat(9000), position: { x: 0, y: 0 } }] }, padding: "y".repeat(100_000) });
    expect((await call(api, { key, method: "POST", path: "/imports?dryRun=true", body: large })).body).toMatchObject({ ok: true });
    const tooLarge = await call(api, { key, method: "POST", path: "/imports?dryRun=true", body: " ".repeat(21 * 1024 * 1024) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error?.message).toBe("The body is larger than the import's limit of 20 MB.");

    // A bundle whose flow is live would make it live here too: the write scope alone may not activate.
    await owner.caller.flow.activate({ workspaceId, flowId: flow.id });
    const live = (await owner.caller.transfer.exportWorkspace({ workspaceId, includeVersions: false })).text;
    const activating = await call(api, { key, method: "POST", path: "/imports?onConflict=skip", body: live });
    expect(activating.status).toBe(403);
    expect(activating.body.error?.message).toContain("add the run or admin scope");
    const reader = await owner.caller.apiKey.create({ workspaceId, name: "Reader", scopes: ["read"] });
    expect((await call(api, { key: reader.secret, method: "POST", path: "/imports?dryRun=true", body: text })).status).toBe(403);
  });

  it("limits each key with a token bucket: 429 with Retry-After and RateLimit headers", async () => {
    const limited = await serveApi({ db: database.db, rateLimitPerMinute: 3 });
    try {
      const { key } = await workspaceWithKey(["read"]);
      const { key: otherKey } = await workspaceWithKey(["read"]);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await call(limited, { key, path: "/flows" }));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
      expect(answers[0]!.headers.get("ratelimit-limit")).toBe("3");
      expect(answers[0]!.headers.get("ratelimit-remaining")).toBe("2");
      expect(answers[0]!.headers.get("ratelimit-policy")).toBe("3;w=60");
      const refused = answers[3]!;
      expect(refused.body.error?.code).toBe("TOO_MANY_REQUESTS");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get("ratelimit-remaining")).toBe("0");
      // Each key has its own bucket.
      expect((await call(limited, { key: otherKey, path: "/flows" })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("REST API tenancy, route by route from the OpenAPI document", () => {
  const database = useTestDatabase("postgres");
  useTestRuntime(database);
  let api: Api;

  beforeAll(async () => {
    api = await serveApi({ db: database.db, rateLimitPerMinute: 0 });
  });
  afterAll(() => api?.close());

  /** A body each operation accepts, so that only the ids stand in the way; the test fails for an operation without one. */
  let planted = 0;
  const bodies: Record<string, () => Record<string, unknown>> = {
    flowCreate: () => ({ name: `Planted ${++planted}` }),
    flowRename: () => ({ name: "Renamed" }),
    flowSaveDraft: () => ({ document: { schema: FLOW_SCHEMA_TAG } }),
    flowSaveVersion: () => ({ document: { schema: FLOW_SCHEMA_TAG }, message: "planted" }),
    flowActivate: () => ({}),
    flowDeactivate: () => ({}),
    runStart: () => ({ input: { planted: true } }),
    runCancel: () => ({}),
    credentialCreate: () => ({ name: `Planted ${++planted}`, type: "webhook.secret", data: { secret: "planted-secret-0123" } }),
    transferApplyImport: () => ({ schema: FLOW_EXPORT_TAG, name: `Planted ${++planted}`, document: { schema: FLOW_SCHEMA_TAG } }),
  };

  it("answers every operation given another workspace's ids exactly like made-up ids, and changes nothing there", async () => {
    const { owner, intruder, target } = await victimWorkspace({ db: database.db });
    const intruderKey = (await intruder.caller.apiKey.create({ workspaceId: intruder.workspace.id, name: "Intruder's", scopes: ["admin"] })).secret;
    const victimIds = { flowId: target.flowId, runId: target.runId, credentialId: target.credentialId, number: "1", versionNumber: 1 };
    const madeUp = { flowId: "cmadeupflow000000000000000", runId: "cmadeuprun0000000000000000", credentialId: "cmadeupcred000000000000000", number: "1", versionNumber: 1 };

    const snapshot = async () => {
      const { workspaceId, flowId, runId } = target;
      return {
        flow: await owner.caller.flow.get({ workspaceId, flowId }),
        versions: await owner.caller.flow.versions({ workspaceId, flowId }),
        flows: await owner.caller.flow.list({ workspaceId }),
        credentials: await owner.caller.credential.list({ workspaceId }),
        runs: await owner.caller.run.list({ workspaceId }),
        run: await owner.caller.run.get({ workspaceId, runId }),
        audit: await database.db.auditEvent.count({ where: { workspaceId } }),
      };
    };
    const before = await snapshot();
    expect(before.run.status).toBe("running");

    const document = (await call(api, { path: "/openapi.json" })).body as unknown as { paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string }[]; requestBody?: { content: { "application/json": { schema: { properties?: Record<string, unknown> } } } } }>> };
    const tried: string[] = [];
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const request = (ids: Record<string, string | number>) => {
          let path = template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(String(ids[name])));
          const query = op.parameters.filter((p) => p.in === "query" && p.name in ids).map((p) => `${p.name}=${encodeURIComponent(String(ids[p.name]))}`);
          if (query.length) path += `?${query.join("&")}`;
          if (method === "get") return { method: "GET", path };
          const fields = Object.keys(op.requestBody?.content["application/json"].schema.properties ?? {});
          const body = { ...bodies[op.operationId]?.(), ...Object.fromEntries(fields.filter((f) => f in ids && f !== "versionNumber").map((f) => [f, ids[f]])) };
          return { method: method.toUpperCase(), path, body };
        };
        expect({ operation: op.operationId, hasBody: method === "get" || op.operationId in bodies }).toEqual({ operation: op.operationId, hasBody: true });
        const foreign = await call(api, { key: intruderKey, ...request(victimIds) });
        const unknown = await call(api, { key: intruderKey, ...request(madeUp) });
        tried.push(`${method.toUpperCase()} ${template}`);
        expect({ op: op.operationId, status: foreign.status }).toEqual({ op: op.operationId, status: unknown.status });
        if (foreign.status >= 400) {
          expect({ op: op.operationId, error: foreign.body.error }).toEqual({ op: op.operationId, error: unknown.body.error });
          if (template.includes("{")) expect({ op: op.operationId, status: foreign.status }).toEqual({ op: op.operationId, status: 404 });
        }
        expect({ op: op.operationId, leaks: JSON.stringify(foreign.body).includes(target.flowId) || JSON.stringify(foreign.body).includes(target.runId) }).toEqual({ op: op.operationId, leaks: false });
      }
    }
    expect(tried.length).toBeGreaterThanOrEqual(15);
    expect(await snapshot()).toEqual(before);
    await owner.caller.run.cancel({ workspaceId: target.workspaceId, runId: target.runId });
  });

  it("ties a key to its own workspace: it reads that workspace's flows and answers another's like missing ones", async () => {
    const { owner, intruder, target } = await victimWorkspace({ db: database.db });
    const victimKey = (await owner.caller.apiKey.create({ workspaceId: target.workspaceId, name: "Victim's reader", scopes: ["read"] })).secret;
    const intruderFlow = await intruder.caller.flow.create({ workspaceId: intruder.workspace.id, name: "Intruder's flow" });
    expect((await call(api, { key: victimKey, path: "/flows" })).body).toEqual([expect.objectContaining({ id: target.flowId })]);
    const across = await call(api, { key: victimKey, path: `/flows/${intruderFlow.id}` });
    expect(across.status).toBe(404);
    expect(across.body.error).toEqual((await call(api, { key: victimKey, path: "/flows/cmadeupflow000000000000000" })).body.error);
    await owner.caller.run.cancel({ workspaceId: target.workspaceId, runId: target.runId });
  });
});
