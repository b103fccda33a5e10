import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../runner/runtime";
import { until } from "../../runner/node-testing";
import type { FlowDocument } from "../../nodes/_core/flow-document";
import { canonicalJson } from "../../nodes/_core/canonical-json";
import { templates, templateText } from "../../nodes/_core/templates";
import { closeTestServers } from "../../nodes/_kit/test-http-server";
import { closeSmtpServers, services, smtp } from "../../nodes/alert/alert-test-server";
import { coingecko } from "../../nodes/crypto-price/crypto-price-test-server";
import { feedServer, rss } from "../../nodes/feed/feed-test-server";
import { startOpenAIServer } from "../../nodes/llm/test-servers";
import { testClient, testMqttUrl } from "../../nodes/mqtt/test-broker";
import { openMeteo } from "../../nodes/weather/weather-test-server";
import { useTestDatabase } from "../db/test-databases";
import { rejection, signInAs } from "../routers/test-helpers";
import { serveWebhooks, startTestRuntime, type WebhookServer } from "../test-runtime";

type Owner = Awaited<ReturnType<typeof signInAs>>;

/**
 * Every template of the gallery, created the way a person does (`template.create`, which goes through the import
 * path), its credentials made under the names it expects, pointed at local servers where its nodes name a public
 * API, then triggered as it would be in use: a webhook call, an MQTT message, a feed entry, a scheduled run.
 */
describe("templates created from the gallery and run against local servers", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let hooks: WebhookServer;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    hooks = await serveWebhooks(runtime);
  });
  afterAll(async () => {
    await hooks?.close();
    await runtime?.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await closeTestServers();
    await closeSmtpServers();
  });

  /** A new workspace with the given credentials, and the template created in it (version 1, inactive). */
  async function fromTemplate(templateId: string, credentials: { name: string; type: string; data: Record<string, string> }[] = []) {
    const owner = await signInAs({ db: database.db, name: templateId });
    const workspaceId = owner.workspace.id;
    for (const credential of credentials) await owner.caller.credential.create({ workspaceId, ...credential });
    const created = await owner.caller.template.create({ workspaceId, templateId });
    expect(created.missingCredentials).toEqual([]);
    return { owner, workspaceId, flowId: created.flowId };
  }

  /**
   * What a person does after creating the flow: points nodes at their own servers (each patched field must be one
   * the template sets, so a template that stops using it fails here), saves a version and activates it.
   */
  async function activate(owner: Owner, flowId: string, patches: Record<string, Record<string, unknown>> = {}) {
    const workspaceId = owner.workspace.id;
    const flow = await owner.caller.flow.get({ workspaceId, flowId });
    const document = structuredClone(flow.draft) as FlowDocument;
    for (const [nodeId, patch] of Object.entries(patches)) {
      const node = document.nodes.find((n) => n.id === nodeId);
      if (!node) throw new Error(`the template has no node "${nodeId}"`);
      for (const key of Object.keys(patch)) expect(Object.keys(node.config), `${nodeId}.config`).toContain(key);
      Object.assign(node.config, patch);
    }
    if (Object.keys(patches).length > 0) await owner.caller.flow.saveVersion({ workspaceId, flowId, document, message: "Pointed at local servers" });
    const activated = await owner.caller.flow.activate({ workspaceId, flowId });
    cleanups.push(() => owner.caller.flow.deactivate({ workspaceId, flowId }));
    return activated;
  }

  /** The flow's first run once it has finished (started by a trigger, so found by its flow). */
  async function firstRun(owner: Owner, flowId: string) {
    const run = await eventually(() => database.db.run.findFirst({ where: { flowId }, select: { id: true }, orderBy: { queuedAt: "asc" } }), "a run of the flow");
    return finished(owner, run.id);
  }

  async function finished(owner: Owner, runId: string) {
    await runtime.waitForRun(runId, 120_000);
    return owner.caller.run.get({ workspaceId: owner.workspace.id, runId });
  }

  /** Polls an async probe until it gives a value; gives up after `tries` (a count of polls, not a time limit under test). */
  async function eventually<T>(probe: () => Promise<T | null | undefined>, what: string, tries = 400): Promise<T> {
    for (let i = 0; i < tries; i++) {
      const value = await probe();
      if (value) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  const hookUrl = (owner: Owner, webhookPath: string) => `${hooks.url}/hooks/${owner.workspace.slug}/${webhookPath}`;

  it("creates every template as an inactive version 1 whose export is the template file, byte for byte", async () => {
    const owner = await signInAs({ db: database.db, name: "Gallery" });
    const workspaceId = owner.workspace.id;
    expect((await owner.caller.template.list({ workspaceId })).map((t) => t.id)).toEqual(templates.map((t) => t.id));
    for (const template of templates) {
      const { flowId } = await owner.caller.template.create({ workspaceId, templateId: template.id });
      const flow = await owner.caller.flow.get({ workspaceId, flowId });
      expect({ name: flow.name, version: flow.latestVersion?.number, active: flow.active }).toEqual({ name: template.name, version: 1, active: false });
      expect(canonicalJson(await owner.caller.flow.export({ workspaceId, flowId }))).toBe(templateText(template.id));
    }
    expect(await rejection(owner.caller.template.create({ workspaceId, templateId: "no-such-template" }))).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining('no template "no-such-template"') });
  });

  it("lists the credentials of the template that the workspace lacks by name and type", async () => {
    const owner = await signInAs({ db: database.db, name: "Missing" });
    const workspaceId = owner.workspace.id;
    await owner.caller.credential.create({ workspaceId, name: "OpenAI", type: "ollama.api", data: { baseUrl: "http://127.0.0.1:9" } });
    const created = await owner.caller.template.create({ workspaceId, templateId: "rss-llm-digest" });
    // A credential of the right name but another type is not the one the flow needs.
    expect(created.missingCredentials).toEqual([
      { type: "openai.api", name: "OpenAI" },
      { type: "slack.incoming-webhook", name: "Team Slack" },
    ]);
    await owner.caller.credential.create({ workspaceId, name: "Team Slack", type: "slack.incoming-webhook", data: { url: "https://hooks.slack.com/services/T0/B0/X" } });
    expect((await owner.caller.template.create({ workspaceId, templateId: "rss-llm-digest" })).missingCredentials).toEqual([{ type: "openai.api", name: "OpenAI" }]);
  });

  it("voice-lights: a spoken command switches the kitchen light over MQTT (pocketsphinx, Mosquitto)", async () => {
    const { owner, flowId } = await fromTemplate("voice-lights", [{ name: "Home MQTT broker", type: "mqtt.broker", data: { url: testMqttUrl } }]);
    await activate(owner, flowId);
    const watcher = await testClient();
    cleanups.push(async () => {
      // The template publishes retained; the shared broker is left as it was found.
      await watcher.publishAsync("home/kitchen/light", "", { retain: true, qos: 1 });
      await watcher.endAsync(true);
    });
    const messages: { payload: string; retain: boolean }[] = [];
    watcher.on("message", (topic, payload, packet) => {
      if (topic === "home/kitchen/light" && payload.length > 0 && !packet.retain) messages.push({ payload: payload.toString(), retain: packet.retain });
    });
    await watcher.subscribeAsync("home/kitchen/light", { qos: 1 });
    const dir = mkdtempSync(path.join(os.tmpdir(), "template-voice-"));
    execFileSync("espeak-ng", ["-w", path.join(dir, "say.wav"), "turn on the kitchen lights"]);

    const res = await fetch(hookUrl(owner, "voice/lights"), { method: "POST", headers: { "content-type": "audio/wav" }, body: new Uint8Array(readFileSync(path.join(dir, "say.wav"))) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ text: "turn on the kitchen lights", intent: "lights.set", entities: { room: "kitchen", state: "on" } });
    await until(() => messages.length > 0, "the light's message at Mosquitto");
    expect(messages).toEqual([{ payload: "on", retain: false }]);
  });

  it("mqtt-temperature-alert: a hot sensor's MQTT message becomes an email at the SMTP server", async () => {
    const mail = await smtp();
    const { owner, flowId } = await fromTemplate("mqtt-temperature-alert", [
      { name: "Home MQTT broker", type: "mqtt.broker", data: { url: testMqttUrl } },
      { name: "Alert mail", type: "smtp.server", data: mail.credential },
    ]);
    await activate(owner, flowId);
    const sensor = await testClient();
    cleanups.push(() => sensor.endAsync(true));
    const room = `lab-${randomUUID().slice(0, 8)}`;
    // The subscription is made as the flow activates; messages before it are not delivered, so publish until one runs.
    await eventually(async () => {
      await sensor.publishAsync(`sensors/${room}/temperature`, JSON.stringify({ celsius: 35.5 }), { qos: 1 });
      return database.db.run.findFirst({ where: { flowId }, select: { id: true } });
    }, "a run started by the sensor's message", 100);
    await until(() => mail.mails.some((m) => m.raw.replace(/=\r?\n/g, "").includes(`Reported on sensors/${room}/temperature`)), "the alert email");
    const sent = mail.mails.find((m) => m.raw.replace(/=\r?\n/g, "").includes(`sensors/${room}/temperature`))!;
    expect(sent.to).toEqual(["facilities@example.com"]);
    expect(sent.user).toBe("alerts");
  });

  it("weather-rain-alert: tomorrow's 4.2 mm from the Open-Meteo server becomes an email", async () => {
    const weather = await openMeteo();
    const mail = await smtp();
    const { owner, workspaceId, flowId } = await fromTemplate("weather-rain-alert", [{ name: "Alert mail", type: "smtp.server", data: mail.credential }]);
    await activate(owner, flowId, { forecast: weather.base });
    const run = await finished(owner, (await owner.caller.run.start({ workspaceId, flowId, source: "active" })).runId);
    expect(run.error).toBeNull();
    expect(weather.requests.map((url) => url.pathname)).toEqual(["/v1/search", "/v1/forecast"]);
    expect(mail.mails).toHaveLength(1);
    expect(mail.mails[0]!.to).toEqual(["me@example.com"]);
    expect(mail.mails[0]!.raw).toMatch(/^Subject: .*Rain tomorrow in Berlin: 4\.2 mm$/m);
  });

  it("crypto-price-watch: Bitcoin's 3.6% move from the CoinGecko server is posted to Slack, Ether's 1.2% is not", async () => {
    const prices = await coingecko();
    const slack = await services();
    const { owner, workspaceId, flowId } = await fromTemplate("crypto-price-watch", [{ name: "Team Slack", type: "slack.incoming-webhook", data: slack.credentials["slack.incoming-webhook"] }]);
    await activate(owner, flowId, { prices: { baseUrl: prices.server.url } });
    const run = await finished(owner, (await owner.caller.run.start({ workspaceId, flowId, source: "active" })).runId);
    expect(run.error).toBeNull();
    const posts = slack.byService("slack").map((r) => String(r.body.text));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain("bitcoin moved 3.6% in 24 h");
    expect(posts[0]).toContain("Now 67187.33 USD.");
  });

  it("rss-llm-digest: a new feed entry is summarized by the OpenAI-speaking server and the digest posted to Slack", async () => {
    const feed = await feedServer("application/rss+xml", rss([{ guid: "old-1", title: "Old news" }]));
    const llm = await startOpenAIServer(() => ({ tokens: ["Streamware ", "ships ", "templates."], usage: { prompt: 40, completion: 3 } }));
    const slack = await services();
    const { owner, flowId } = await fromTemplate("rss-llm-digest", [
      { name: "OpenAI", type: "openai.api", data: { apiKey: "sk-test", baseUrl: `${llm.url}/v1` } },
      { name: "Team Slack", type: "slack.incoming-webhook", data: slack.credentials["slack.incoming-webhook"] },
    ]);
    await activate(owner, flowId, { feed: { url: feed.url, intervalSeconds: 1 } });
    // The first check only remembers what the feed holds; the entry added after it starts the run.
    await until(() => feed.state.requests > 0, "the first check of the feed");
    feed.state.body = rss([
      { guid: "new-1", title: "Templates land" },
      { guid: "old-1", title: "Old news" },
    ]);
    const run = await firstRun(owner, flowId);
    expect(run.error).toBeNull();
    expect(JSON.stringify(llm.requests[0]!.body.messages)).toContain("- Templates land (https://example.test/new-1)");
    const posts = slack.byService("slack").map((r) => String(r.body.text));
    expect(posts).toEqual([expect.stringContaining("1 new on Test news\nStreamware ships templates.")]);
  });

  it("support-ticket-triage: the local LLM's JSON answers the webhook, and an urgent ticket pages Slack", async () => {
    const answer = { category: "billing", urgent: true, reply: "We are on it." };
    const llm = await startOpenAIServer(() => ({ tokens: [JSON.stringify(answer)], usage: { prompt: 30, completion: 12 } }));
    const slack = await services();
    const { owner, flowId } = await fromTemplate("support-ticket-triage", [
      { name: "OpenAI", type: "openai.api", data: { apiKey: "sk-test", baseUrl: `${llm.url}/v1` } },
      { name: "Team Slack", type: "slack.incoming-webhook", data: slack.credentials["slack.incoming-webhook"] },
    ]);
    await activate(owner, flowId);
    const res = await fetch(hookUrl(owner, "support/tickets"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ada@example.com", subject: "Card declined", message: "I cannot pay my invoice." }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(answer);
    expect(JSON.stringify(llm.requests[0]!.body.messages)).toContain("I cannot pay my invoice.");
    await firstRun(owner, flowId);
    expect(slack.byService("slack").map((r) => String(r.body.text))).toEqual([expect.stringContaining("Urgent billing ticket from ada@example.com\nCard declined")]);
  });

  it("ab-landing-page: each visitor gets one of the two pages and keeps it, and exposures are counted", async () => {
    const { owner, workspaceId, flowId } = await fromTemplate("ab-landing-page");
    await activate(owner, flowId);
    const page = async (visitor: string) => {
      const res = await fetch(`${hookUrl(owner, "landing")}?visitor=${visitor}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await res.text();
      return /<h1>(.*)<\/h1>/.exec(html)![1];
    };
    const visitors = Array.from({ length: 12 }, (_, i) => `visitor-${i}`);
    const first = [];
    for (const visitor of visitors) first.push(await page(visitor));
    expect(new Set(first)).toEqual(new Set(["Streamline your work", "Stop doing it by hand"]));
    for (const [i, visitor] of visitors.entries()) expect(await page(visitor)).toBe(first[i]);
    const [experiment] = await owner.caller.abTest.results({ workspaceId, flowId, experiment: "landing-headline" });
    expect(experiment!.variants.map((v) => v.name)).toEqual(["classic", "bold"]);
    // Exposures count visitors: the second visit of each is not counted again.
    expect(experiment!.variants.reduce((sum, v) => sum + v.exposures, 0)).toBe(visitors.length);
  });

  it("upload-to-hls: an uploaded video comes back as a two-rendition HLS ladder written by ffmpeg", async () => {
    const { owner, workspaceId, flowId } = await fromTemplate("upload-to-hls");
    await activate(owner, flowId);
    const dir = mkdtempSync(path.join(os.tmpdir(), "template-hls-"));
    const video = path.join(dir, "clip.mp4");
    execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", "libx264", "-c:a", "aac", "-shortest", "-y", video]);
    const res = await fetch(hookUrl(owner, "media/upload"), { method: "POST", headers: { "content-type": "video/mp4" }, body: new Uint8Array(readFileSync(video)) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { playlistUrl: string; durationSeconds: number; renditions: number[] };
    expect(body.renditions).toEqual([720, 360]);
    expect(body.durationSeconds).toBeGreaterThan(1.5);
    const run = await firstRun(owner, flowId);
    const hls = run.steps.find((s) => s.nodeId === "transcode")!.output!.items.out![0]!.binary!.hls!;
    const master = (await runtime.binary.read(workspaceId, `${hls.id}/master.m3u8`)).toString("utf8");
    expect(master.split("\n").filter((line) => line && !line.startsWith("#"))).toEqual(["0/index.m3u8", "1/index.m3u8"]);
    const rendition = (await runtime.binary.read(workspaceId, `${hls.id}/1/index.m3u8`)).toString("utf8");
    expect(rendition).toContain("#EXT-X-ENDLIST");
    expect(rendition.split("\n").filter((line) => line.endsWith(".ts")).length).toBeGreaterThan(0);
  });
});
