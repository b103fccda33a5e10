import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Widget } from "@/nodes/_core/dashboard";
import { useTestDatabase } from "@/server/db/test-databases";
import { addMember, rejection, signInAs } from "@/server/routers/test-helpers";
import { seriesService } from "@/server/services/series-service";
import { sharePageGate } from "@/server/share-page-headers";
import { sharedRateLimiter, type Allowance } from "@/runner/rate-limits";
import { shareRateLimiter, shareSecret } from "@/server/share-settings";
import { CLIENT_IP_HEADER } from "@/server/services/audit-origin";
import { FLOW_SCHEMA_TAG } from "@/nodes/_core/flow-document";
import type { Runtime } from "@/runner/runtime";
import { startTestRuntime } from "@/server/test-runtime";
import { MAX_ACT_BODY_BYTES, shareAnswers } from "./share-answers";
import { sharedRequest, type ShareAnswer } from "./shared-request";

const stat: Widget = { id: "w1", kind: "stat", title: "Load", series: ["load"], layout: { x: 0, y: 0, w: 3, h: 2 } };
const GONE = "This shared dashboard does not exist, or its link was revoked or has expired.";

/** The limiters a runtime hands out when embedded: counted in this process's memory. */
const embedded = { rateLimiter: (name: string, allowance: Allowance) => sharedRateLimiter({ name, allowance, redis: null }) };
const shareRequests = shareRateLimiter(embedded);

let address = 0;
/** Each test asks from its own address, so that no test spends another's allowance. */
const nextAddress = () => `198.51.100.${++address}`;

describe("a dashboard shared by link", () => {
  const database = useTestDatabase("postgres");
  const ip = nextAddress();

  /** A signed-out request under the link, as the route answers it. */
  async function ask(token: string, answer: ShareAnswer, query = "", from = ip, limiter = shareRequests) {
    const request = new Request(`http://localhost/api/share/${token}/x${query}`, { headers: { [CLIENT_IP_HEADER]: from } });
    const response = await sharedRequest({ db: database.db, request, token, answer, limiter });
    return { status: response.status, body: (await response.json()) as unknown, headers: response.headers };
  }

  /** A workspace with a dashboard showing "load", points of "load" and of "payroll" (not on the dashboard), and a link. */
  async function sharedSetup(name: string) {
    const { db } = database;
    const owner = await signInAs({ db, name });
    const workspaceId = owner.workspace.id;
    const { id: dashboardId } = await owner.caller.dashboard.create({ workspaceId, name: "Plant floor", widgets: [stat] });
    const at = new Date(Date.now() - 60_000);
    await seriesService.append({
      db,
      points: [
        { workspaceId, series: "load", at, value: 42, flowId: null, runId: null },
        { workspaceId, series: "payroll", at, value: 9000, flowId: null, runId: null },
      ],
    });
    const { share, token } = await owner.caller.dashboardShare.create({ workspaceId, dashboardId, label: "Lobby" });
    return { owner, workspaceId, dashboardId, share, token };
  }

  const range = () => `?series=load&from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 1000).toISOString()}&maxPoints=100`;

  it("serves the dashboard, its series and their points without signing in, under the workspace's branding", async () => {
    const { owner, workspaceId, dashboardId, share, token } = await sharedSetup("Sharer");
    await owner.caller.dashboardShare.updateBranding({ workspaceId, branding: { name: "Acme Plant", logo: "https://acme.example/logo.png", accent: "#FF8800" } });

    const view = await ask(token, shareAnswers.dashboard);
    expect(view).toMatchObject({ status: 200, body: { dashboard: { id: dashboardId, name: "Plant floor", widgets: [stat] }, branding: { name: "Acme Plant", logo: "https://acme.example/logo.png", accent: "#ff8800" } } });
    expect(view.headers.get("cache-control")).toBe("no-store");
    expect((await ask(token, shareAnswers.series)).body).toEqual([expect.objectContaining({ series: "load", last: { value: 42, data: null } })]);
    expect((await ask(token, shareAnswers.points, range())).body).toEqual([{ series: "load", points: [{ at: expect.any(Number), value: 42 }] }]);

    // The list never carries a token; the link's summary says it works.
    const listed = await owner.caller.dashboardShare.list({ workspaceId, dashboardId });
    expect(listed).toEqual({ shares: [expect.objectContaining({ id: share.id, label: "Lobby", active: true, expiresAt: null, revokedAt: null })], embedOrigins: [] });
    expect(JSON.stringify(listed)).not.toContain(token.split(".")[0]);
    const stored = await database.db.dashboardShare.findUniqueOrThrow({ where: { id: share.id }, select: { tokenHash: true } });
    expect(stored.tokenHash).not.toContain(token);
    expect(stored.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("serves no series the dashboard does not show", async () => {
    const { token } = await sharedSetup("Careful");
    const payroll = range().replace("series=load", "series=payroll");
    expect(await ask(token, shareAnswers.points, payroll)).toMatchObject({ status: 404, body: { error: "Series payroll is not on this dashboard." } });
    expect(await ask(token, shareAnswers.points, `${range()}&series=payroll`)).toMatchObject({ status: 404 });
    expect(await ask(token, shareAnswers.abResults, "?flowId=f&experiment=pricing")).toMatchObject({ status: 404, body: { error: "Experiment pricing is not on this dashboard." } });
    expect(await ask(token, shareAnswers.points, "?series=load")).toMatchObject({ status: 400, body: { error: expect.stringContaining("from must be an ISO date and time") } });
  });

  it("answers revoked, expired, tampered, made-up and misplaced links alike, as missing", async () => {
    const { db } = database;
    const { owner, workspaceId, dashboardId, share, token } = await sharedSetup("Revoker");
    const gone = { status: 404, body: { error: expect.stringContaining(GONE) } };

    // A tampered signature, a made-up token of the right shape, and one with no signature at all.
    const [id, signature] = token.split(".") as [string, string];
    const flipped = `${id}.${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    for (const bad of [flipped, `${"x".repeat(24)}.${"y".repeat(22)}`, id, "../../etc"]) {
      for (const answer of [shareAnswers.dashboard, shareAnswers.series, shareAnswers.live]) expect(await ask(bad, answer)).toMatchObject(gone);
    }

    // Expired: the link stops working once its time is past.
    const { share: soon, token: soonToken } = await owner.caller.dashboardShare.create({ workspaceId, dashboardId, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await ask(soonToken, shareAnswers.dashboard)).status).toBe(200);
    await db.dashboardShare.update({ where: { id: soon.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await ask(soonToken, shareAnswers.dashboard)).toMatchObject(gone);
    expect((await rejection(owner.caller.dashboardShare.create({ workspaceId, dashboardId, expiresAt: "2020-01-01T00:00:00Z" }))).message).toBe("Choose an expiry in the future, or none.");

    // Revoked: at once, for every route, and revoking again changes nothing.
    expect((await owner.caller.dashboardShare.revoke({ workspaceId, shareId: share.id })).active).toBe(false);
    for (const answer of [shareAnswers.dashboard, shareAnswers.series, shareAnswers.live]) expect(await ask(token, answer)).toMatchObject(gone);
    expect(await ask(token, shareAnswers.points, range())).toMatchObject(gone);
    expect((await owner.caller.dashboardShare.revoke({ workspaceId, shareId: share.id })).revokedAt).not.toBeNull();

    // A link whose row was moved onto another workspace's dashboard opens nothing.
    const other = await sharedSetup("Neighbour");
    expect((await ask(other.token, shareAnswers.dashboard)).status).toBe(200);
    await db.dashboardShare.update({ where: { id: other.share.id }, data: { dashboardId } });
    expect(await ask(other.token, shareAnswers.dashboard)).toMatchObject(gone);

    // Another workspace's links and dashboards are not found through the intruder's own workspace.
    const intruder = await signInAs({ db, name: "Intruder" });
    const own = intruder.workspace.id;
    expect((await rejection(intruder.caller.dashboardShare.revoke({ workspaceId: own, shareId: other.share.id }))).code).toBe("NOT_FOUND");
    expect((await rejection(intruder.caller.dashboardShare.list({ workspaceId: own, dashboardId }))).code).toBe("NOT_FOUND");
    expect((await rejection(intruder.caller.dashboardShare.create({ workspaceId: own, dashboardId }))).code).toBe("NOT_FOUND");

    const actions = await db.auditEvent.findMany({ where: { workspaceId, action: { startsWith: "dashboard.share" } }, select: { action: true }, orderBy: { seq: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["dashboard.share.create", "dashboard.share.create", "dashboard.share.revoke"]);
  });

  it("lets only editors share and only admins brand, with what is wrong named", async () => {
    const { db } = database;
    const { owner, workspaceId, dashboardId } = await sharedSetup("Admin");
    const viewer = await signInAs({ db, name: "Viewer" });
    await addMember({ db, by: owner.user, workspaceId, user: viewer.user, role: "viewer" });
    expect((await rejection(viewer.caller.dashboardShare.create({ workspaceId, dashboardId }))).code).toBe("FORBIDDEN");
    expect((await rejection(viewer.caller.dashboardShare.updateBranding({ workspaceId, branding: { name: "Mine", logo: null, accent: null } }))).code).toBe("FORBIDDEN");
    expect(await viewer.caller.dashboardShare.branding({ workspaceId })).toEqual({ name: null, logo: null, accent: null });

    const badAccent = await rejection(owner.caller.dashboardShare.updateBranding({ workspaceId, branding: { name: null, logo: null, accent: "orange" } }));
    expect(badAccent.message).toContain("Write the accent colour as # and six hex digits");
    const script = await rejection(owner.caller.dashboardShare.updateBranding({ workspaceId, branding: { name: null, logo: "javascript:alert(1)", accent: null } }));
    expect(script.message).toContain("The logo is an https:// address of an image");
    const huge = await rejection(owner.caller.dashboardShare.updateBranding({ workspaceId, branding: { name: null, logo: `data:image/png;base64,${"A".repeat(100_000)}`, accent: null } }));
    expect(huge.message).toContain("Choose a logo image under 64 KB");
    const uploaded = `data:image/png;base64,${Buffer.from("not really a png").toString("base64")}`;
    expect(await owner.caller.dashboardShare.updateBranding({ workspaceId, branding: { name: " Acme ", logo: uploaded, accent: null } })).toEqual({ name: "Acme", logo: uploaded, accent: null });

    const path = await rejection(owner.caller.dashboardShare.setEmbedOrigins({ workspaceId, dashboardId, origins: ["https://intranet.example.com/wiki"] }));
    expect(path.message).toContain("is not an origin: write only the scheme, host and port");
  });

  it("refuses an address past its allowance before looking at the link", async () => {
    const from = nextAddress();
    const madeUp = `${"m".repeat(24)}.${"n".repeat(22)}`;
    // The route's limiter, with a bucket of three that refills once an hour, so the test does not race the clock.
    const limiter = embedded.rateLimiter("share-test", { perSecond: 1 / 3600, burst: 3 });
    for (let i = 0; i < 3; i++) expect((await ask(madeUp, shareAnswers.dashboard, "", from, limiter)).status).toBe(404);
    const refused = await ask(madeUp, shareAnswers.dashboard, "", from, limiter);
    expect(refused).toMatchObject({ status: 429, body: { error: expect.stringContaining("Too many requests to shared dashboards from this address") } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // Other addresses are not held back.
    expect((await ask(madeUp, shareAnswers.dashboard, "", nextAddress(), limiter)).status).toBe(404);
  });

  describe("the shared page, before Next.js renders it", () => {
    let server: Server;
    let base: string;
    // A bucket of three that refills once an hour for the page's requests, so the test does not race the clock.
    const pageLimiter = embedded.rateLimiter("share-page-test", { perSecond: 1 / 3600, burst: 3 });
    beforeAll(async () => {
      const gate = sharePageGate({ db: database.db, secret: shareSecret, limiter: pageLimiter });
      server = createServer((req, res) => {
        // As the server stamps each request with its client's address; the tests name theirs.
        req.headers[CLIENT_IP_HEADER] = String(req.headers["x-test-ip"] ?? ip);
        void gate(req, res).then((refused) => {
          if (!refused) res.end("page");
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("lets only the dashboard's origins frame its shared page, and none frame a link that opens nothing", async () => {
      const { owner, workspaceId, dashboardId, share, token } = await sharedSetup("Embedder");
      // Each from an address of its own, as only the next test spends an allowance.
      const page = (path: string) => fetch(`${base}${path}`, { headers: { "x-test-ip": nextAddress() } });
      const policy = async (path: string) => (await page(path)).headers.get("content-security-policy");
      expect(await policy(`/s/${token}`)).toBe("frame-ancestors 'none'");
      expect((await page(`/s/${token}`)).headers.get("referrer-policy")).toBe("no-referrer");

      const set = await owner.caller.dashboardShare.setEmbedOrigins({ workspaceId, dashboardId, origins: ["https://intranet.example.com/", "http://localhost:8080", "https://intranet.example.com"] });
      expect(set).toEqual({ embedOrigins: ["https://intranet.example.com", "http://localhost:8080"] });
      expect(await policy(`/s/${token}`)).toBe("frame-ancestors https://intranet.example.com http://localhost:8080");
      expect(await policy(`/s/${token}?theme=dark`)).toBe("frame-ancestors https://intranet.example.com http://localhost:8080");
      // Another page of the app is left as it was.
      expect(await policy(`/w/anything`)).toBeNull();

      await owner.caller.dashboardShare.revoke({ workspaceId, shareId: share.id });
      expect(await policy(`/s/${token}`)).toBe("frame-ancestors 'none'");
      expect(await policy(`/s/made-up`)).toBe("frame-ancestors 'none'");
    });

    it("counts the page against its caller's allowance under share links", async () => {
      const { token } = await sharedSetup("Crowded");
      const from = { "x-test-ip": nextAddress() };
      for (let i = 0; i < 3; i++) expect((await fetch(`${base}/s/${token}`, { headers: from })).status).toBe(200);
      const refused = await fetch(`${base}/s/${token}`, { headers: from });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await refused.text()).toMatch(/^Too many requests to shared dashboards from this address; wait \d+ s\.$/);
      // Other addresses, and other pages of the app, are not held back.
      expect((await fetch(`${base}/s/${token}`, { headers: { "x-test-ip": nextAddress() } })).status).toBe(200);
      expect((await fetch(`${base}/w/anything`, { headers: from })).status).toBe(200);
    });
  });
});

describe("a shared dashboard's control widgets", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it("start a flow only where the owner let shared links, and answer the run's result", async () => {
    const { db } = database;
    const owner = await signInAs({ db, name: "Controller" });
    const workspaceId = owner.workspace.id;
    const greeter = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
        { id: "tag", name: "Tag", type: "core.set", position: { x: 200, y: 0 }, config: { fields: [{ name: "answer", value: "Hello {{ $json.name }}" }] } },
      ],
      edges: [{ id: "e1", source: "start", target: "tag" }],
    };
    const { id: flowId } = await owner.caller.flow.create({ workspaceId, name: "Greeter", document: greeter });
    await owner.caller.flow.saveVersion({ workspaceId, flowId, document: greeter, message: "v1" });
    await owner.caller.flow.activate({ workspaceId, flowId });
    const layout = { x: 0, y: 0, w: 3, h: 2 };
    const widgets: Widget[] = [
      { id: "private", kind: "button", title: "Members only", series: [], action: { flowId, shared: false }, layout },
      { id: "public", kind: "button", title: "Anyone", series: [], action: { flowId, shared: true }, layout },
      { id: "whisper", kind: "voice", title: "Members' voice", series: [], action: { flowId, shared: false }, layout },
      { id: "talk", kind: "voice", title: "Talk", series: [], action: { flowId, shared: true }, layout },
    ];
    const { id: dashboardId } = await owner.caller.dashboard.create({ workspaceId, name: "Buttons", widgets });
    const { token } = await owner.caller.dashboardShare.create({ workspaceId, dashboardId });
    const limiter = embedded.rateLimiter("share-act-test", { perSecond: 1 / 3600, burst: 20 });
    const use = async (widgetId: string, body: string, contentType = "application/json") => {
      const request = new Request(`http://localhost/api/share/${token}/widgets/${widgetId}/act`, { method: "POST", body, headers: { "content-type": contentType, [CLIENT_IP_HEADER]: "203.0.113.9" } });
      const response = await sharedRequest({ db, request, token, answer: shareAnswers.act({ widgetId }), limiter });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    const runsBefore = await db.run.count({ where: { workspaceId } });

    expect(await use("private", JSON.stringify({ input: { name: "Eve" } }))).toEqual({ status: 403, body: { error: '"Members only" cannot be used from a shared link; its owner has not allowed that.' } });
    expect(await use("public", "not json")).toMatchObject({ status: 400, body: { error: expect.stringContaining("not JSON") } });
    expect(await use("public", "{}", "text/plain")).toMatchObject({ status: 415 });
    expect(await use("public", JSON.stringify({ input: { name: "x".repeat(MAX_ACT_BODY_BYTES) } }))).toMatchObject({ status: 413 });
    const speak = async (widgetId: string, contentType: string) => {
      const request = new Request(`http://localhost/api/share/${token}/widgets/${widgetId}/voice`, { method: "POST", body: "not audio", headers: { "content-type": contentType, [CLIENT_IP_HEADER]: "203.0.113.9" } });
      const response = await sharedRequest({ db, request, token, answer: shareAnswers.voice({ widgetId }), limiter });
      return { status: response.status, body: (await response.json()) as unknown, cache: response.headers.get("cache-control") };
    };
    expect(await speak("whisper", "audio/webm")).toMatchObject({ status: 403, body: { error: expect.stringContaining("cannot be used from a shared link") } });
    expect(await speak("talk", "text/plain")).toMatchObject({ status: 415, body: { error: expect.stringContaining("Send the recording as audio") }, cache: "no-store" });
    expect(await db.run.count({ where: { workspaceId } })).toBe(runsBefore);

    const used = await use("public", JSON.stringify({ input: { name: "Ada" } }));
    expect(used).toEqual({ status: 200, body: { runId: expect.any(String), status: "succeeded", output: expect.objectContaining({ answer: "Hello Ada" }) } });
    const audited = await db.auditEvent.findFirstOrThrow({ where: { workspaceId, action: "run.start" }, select: { actorKind: true, data: true } });
    expect(audited).toMatchObject({ actorKind: "shareLink", data: { dashboardId, widgetId: "public" } });

    // Once revoked, the link starts nothing, like a missing one.
    const { shares } = await owner.caller.dashboardShare.list({ workspaceId, dashboardId });
    await owner.caller.dashboardShare.revoke({ workspaceId, shareId: shares[0]!.id });
    expect(await use("public", JSON.stringify({ input: {} }))).toMatchObject({ status: 404, body: { error: expect.stringContaining(GONE) } });
  });
});
