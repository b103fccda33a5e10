// Every domain node in an active flow of the production server, started by a webhook (or by its own trigger)
// and answering with what the node got from a local server that speaks the real service's protocol.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type APIRequestContext, type APIResponse, type BrowserContext, type Page, expect, test } from "@playwright/test";
import type { MqttClient } from "mqtt";
import { hashPoint, variantAt } from "../nodes/ab-split/assignment";
import { closeSmtpServers, services, smtp } from "../nodes/alert/alert-test-server";
import { coingecko } from "../nodes/crypto-price/crypto-price-test-server";
import { feedServer, rss } from "../nodes/feed/feed-test-server";
import { startOllamaServer, startOpenAIServer } from "../nodes/llm/test-servers";
import { testClient, testMqttUrl } from "../nodes/mqtt/test-broker";
import { openMeteo } from "../nodes/weather/weather-test-server";
import { closeTestServers, startTestServer } from "../nodes/_kit/test-http-server";
import { trpc as callTrpc, signIn } from "./support/editor";

const exec = promisify(execFile);

interface FlowNode {
  id: string;
  type: string;
  name?: string;
  config?: Record<string, unknown>;
  credentials?: Record<string, { id: string; name: string }>;
}

interface Step {
  nodeId: string;
  status: string;
  output: { items: Record<string, { json: Record<string, unknown> }[]> } | null;
}

interface Run {
  id: string;
  status: string;
  trigger: string;
  steps: Step[];
}

let context: BrowserContext;
let page: Page;
let workspaceId: string;
/** Webhooks answer under the workspace's slug: /hooks/<slug>/<path>. */
let hooks: string;
let media: string;
let video: Buffer;
let wav: Buffer;
const mqttClients: MqttClient[] = [];

/** Calls a tRPC procedure from the shared signed-in page. */
const trpc = <T>(kind: "query" | "mutation", procedure: string, input?: unknown): Promise<T> => callTrpc<T>(page, kind, procedure, input);

async function credential(type: string, name: string, data: Record<string, string>): Promise<{ id: string; name: string }> {
  const created = await trpc<{ id: string; name: string }>("mutation", "credential.create", { workspaceId, name, type, data });
  return { id: created.id, name: created.name };
}

/** Saves the nodes as a flow (each wired to the next unless edges are given), makes it a version and activates it. */
async function activate(name: string, nodes: FlowNode[], edges?: { source: string; sourcePort?: string; target: string }[]): Promise<string> {
  const document = {
    schema: "streamware.flow/1",
    nodes: nodes.map((node, i) => ({ name: node.id, position: { x: 240 * i, y: 0 }, ...node })),
    edges: (edges ?? nodes.slice(1).map((node, i) => ({ source: nodes[i]!.id, target: node.id }))).map((edge, i) => ({ id: `e${i}`, ...edge })),
  };
  const flow = await trpc<{ id: string }>("mutation", "flow.create", { workspaceId, name, document });
  await trpc("mutation", "flow.saveVersion", { workspaceId, flowId: flow.id, document, message: "end-to-end" });
  await trpc("mutation", "flow.activate", { workspaceId, flowId: flow.id });
  return flow.id;
}

const webhook = (path: string, config: Record<string, unknown> = {}): FlowNode => ({ id: "hook", type: "core.webhook", config: { path, respond: "respondNode", ...config } });
const respond = (config: Record<string, unknown> = {}): FlowNode => ({ id: "answer", type: "core.respond-to-webhook", config });

/** The flow's runs, newest first. */
const runsOf = async (flowId: string) => (await trpc<{ runs: { id: string; status: string }[] }>("query", "run.list", { workspaceId, flowId })).runs;

/** Waits for the flow's first run to finish and returns it with its steps. */
async function firstRun(flowId: string): Promise<Run> {
  let run: Run | undefined;
  await expect
    .poll(async () => {
      const [summary] = await runsOf(flowId);
      if (!summary) return "no run yet";
      run = await trpc<Run>("query", "run.get", { workspaceId, runId: summary.id });
      return run.status;
    }, { timeout: 20_000 })
    .toMatch(/^(succeeded|failed|cancelled)$/);
  return run!;
}

/** The JSON a webhook answered with, after checking its status (the answer's text names what went wrong). */
async function answerOf(res: APIResponse) {
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

const outputOf = (run: Run, nodeId: string) => run.steps.find((s) => s.nodeId === nodeId)?.output?.items.out?.map((item) => item.json);

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
  await signIn(page, "domain-nodes@example.test");
  const [workspace] = await trpc<{ id: string; slug: string }[]>("query", "workspace.list");
  workspaceId = workspace!.id;
  hooks = `/hooks/${workspace!.slug}`;

  media = mkdtempSync(path.join(os.tmpdir(), "streamware-e2e-media-"));
  const clip = path.join(media, "clip.mp4");
  await exec("ffmpeg", [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=15:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip],
  ]);
  video = readFileSync(clip);
  const said = path.join(media, "said.wav");
  await exec("espeak-ng", ["-w", said, "turn on the kitchen lights"]);
  wav = readFileSync(said);
});

test.afterEach(async () => {
  await closeTestServers();
  await closeSmtpServers();
  await Promise.all(mqttClients.splice(0).map((client) => client.endAsync(true)));
});

test.afterAll(async () => {
  await context?.close();
  if (media) rmSync(media, { recursive: true, force: true });
});

test("weather.forecast answers with the recorded Open-Meteo forecast for a city named in the request", async ({ request }) => {
  const api = await openMeteo();
  await activate("Weather", [webhook("e2e/weather"), { id: "weather", type: "weather.forecast", config: { location: "{{ body.city }}", ...api.base } }, respond()]);

  const res = await request.post(`${hooks}/e2e/weather`, { data: { city: "Berlin" } });
  const forecast = await answerOf(res);
  expect(forecast.location).toMatchObject({ query: "Berlin", name: "Berlin", country: "Germany", latitude: 52.52437, timezone: "Europe/Berlin" });
  expect(forecast.current).toMatchObject({ time: "2025-06-12T14:15", temperature_2m: 21.4 });
  expect(forecast.daily[1]).toEqual({ time: "2025-06-13", weather_code: 61, temperature_2m_max: 19.8, temperature_2m_min: 13.4, precipitation_sum: 4.2 });
  expect(api.requests.map((url) => url.pathname)).toEqual(["/v1/search", "/v1/forecast"]);
});

test("crypto.price answers with CoinGecko's recorded prices, asked with the credential's demo key", async ({ request }) => {
  const api = await coingecko({ demoKey: "CG-e2e-demo-key" });
  const key = await credential("coingecko.api", "CoinGecko (local)", { plan: "demo", apiKey: "CG-e2e-demo-key", baseUrl: api.server.url });
  await activate("Crypto", [
    webhook("e2e/crypto"),
    { id: "price", type: "crypto.price", config: { coins: "{{ body.coins }}", currencies: "usd,eur" }, credentials: { "coingecko.api": key } },
    respond({ body: { prices: "{{ $node.price.items }}" } }),
  ]);

  const res = await request.post(`${hooks}/e2e/crypto`, { data: { coins: "bitcoin,ethereum" } });
  const { prices } = await answerOf(res);
  expect(prices).toEqual([
    { coin: "bitcoin", price: { usd: 67187.33, eur: 62104.88 }, change24hPercent: { usd: 3.637278946773539, eur: 3.412031107744251 }, lastUpdatedAt: "2024-06-12T12:00:00.000Z" },
    { coin: "ethereum", price: { usd: 3542.71, eur: 3274.83 }, change24hPercent: { usd: -1.2274412250519378, eur: -1.4478013690037412 }, lastUpdatedAt: "2024-06-12T11:59:58.000Z" },
  ]);
  expect(api.requests.map((r) => r.headers["x-cg-demo-api-key"])).toEqual(["CG-e2e-demo-key"]);
});

test("ai.llm answers with the reply streamed by an OpenAI-compatible server and by an Ollama server", async ({ request }) => {
  const openai = await startOpenAIServer(() => ({ tokens: ["Streams ", "carry ", "items."], usage: { prompt: 12, completion: 3 } }));
  const ollama = await startOllamaServer(() => ({ tokens: ["Llamas ", "graze."], usage: { prompt: 9, completion: 2 } }));
  const openaiKey = await credential("openai.api", "OpenAI (local)", { apiKey: "sk-e2e-local", baseUrl: `${openai.url}/v1` });
  const ollamaServer = await credential("ollama.api", "Ollama (local)", { baseUrl: ollama.url });
  await activate("LLM", [
    webhook("e2e/llm"),
    { id: "gpt", type: "ai.llm", config: { providers: [{ kind: "openai", model: "gpt-test" }], prompt: "One line about {{ body.topic }}" }, credentials: { "openai.api": openaiKey } },
    { id: "llama", type: "ai.llm", config: { providers: [{ kind: "ollama", model: "llama3.2" }], prompt: "One line about {{ $trigger.body.topic }}" }, credentials: { "ollama.api": ollamaServer } },
    respond({ body: { openai: "{{ $node.gpt.json }}", ollama: "{{ $node.llama.json }}" } }),
  ]);

  const res = await request.post(`${hooks}/e2e/llm`, { data: { topic: "flows" } });
  const answer = await answerOf(res);
  expect(answer.openai).toMatchObject({ text: "Streams carry items.", provider: "openai", model: "gpt-test", usage: { promptTokens: 12, completionTokens: 3, totalTokens: 15 } });
  expect(answer.ollama).toMatchObject({ text: "Llamas graze.", provider: "ollama", model: "llama3.2", usage: { totalTokens: 11 } });
  expect(openai.requests[0]!.headers.authorization).toBe("Bearer sk-e2e-local");
  expect(openai.requests[0]!.body.messages).toEqual([{ role: "user", content: "One line about flows" }]);
  expect(ollama.requests[0]!.body.messages).toEqual([{ role: "user", content: "One line about flows" }]);
});

test("messaging.alert sends the mail to a local SMTP server and the message to a Slack-style webhook", async ({ request }) => {
  const mail = await smtp();
  const api = await services();
  const smtpServer = await credential("smtp.server", "SMTP (local)", mail.credential);
  const slack = await credential("slack.incoming-webhook", "Slack (local)", api.credentials["slack.incoming-webhook"]);
  await activate("Alert", [
    webhook("e2e/alert"),
    {
      id: "alert",
      type: "messaging.alert",
      config: { title: "Disk {{ body.disk }} is {{ body.percent }}% full", severity: "critical", channels: [{ kind: "email", to: "ops@example.com" }, { kind: "slack" }] },
      credentials: { "smtp.server": smtpServer, "slack.incoming-webhook": slack },
    },
    respond(),
  ]);

  const res = await request.post(`${hooks}/e2e/alert`, { data: { disk: "/var", percent: 97 } });
  const alert = await answerOf(res);
  expect(alert).toMatchObject({ sent: true, suppressed: false, severity: "critical", title: "Disk /var is 97% full" });
  expect([...alert.delivered].sort()).toEqual(["email", "slack"]);
  expect(mail.mails).toHaveLength(1);
  expect(mail.mails[0]).toMatchObject({ from: "alerts@example.com", to: ["ops@example.com"], user: "alerts" });
  expect(mail.mails[0]!.raw).toContain("Disk /var is 97% full");
  const [posted] = api.byService("slack");
  expect(JSON.stringify(posted!.body)).toContain("Disk /var is 97% full");
});

test("mqtt.publish puts the request's message on the broker, where a subscriber receives it", async ({ request }) => {
  const base = `streamware-e2e/${randomUUID()}`;
  const subscriber = await testClient();
  mqttClients.push(subscriber);
  const received: { topic: string; payload: string }[] = [];
  subscriber.on("message", (topic, payload) => received.push({ topic, payload: payload.toString("utf8") }));
  await subscriber.subscribeAsync(`${base}/#`, { qos: 1 });
  const broker = await credential("mqtt.broker", "Broker (local)", { url: testMqttUrl });
  await activate("MQTT publish", [
    webhook("e2e/mqtt-publish"),
    { id: "publish", type: "mqtt.publish", config: { topic: `${base}/{{ body.room }}/light`, payload: "{{ body.light }}", qos: 1 }, credentials: { "mqtt.broker": broker } },
    respond({ body: { published: true } }),
  ]);

  const res = await request.post(`${hooks}/e2e/mqtt-publish`, { data: { room: "kitchen", light: { on: true, level: 80 } } });
  expect(await answerOf(res)).toEqual({ published: true });
  await expect.poll(() => received).toEqual([{ topic: `${base}/kitchen/light`, payload: JSON.stringify({ on: true, level: 80 }) }]);
});

test("mqtt.trigger starts a run for a message published on its topic", async () => {
  const base = `streamware-e2e/${randomUUID()}`;
  const broker = await credential("mqtt.broker", "Broker for the trigger (local)", { url: testMqttUrl });
  const flowId = await activate("MQTT trigger", [{ id: "sensor", type: "mqtt.trigger", config: { topics: [`${base}/sensors/#`], qos: 1 }, credentials: { "mqtt.broker": broker } }]);
  const publisher = await testClient();
  mqttClients.push(publisher);
  // Retained, so the message reaches the trigger whether its subscription is made before or after the publish.
  await publisher.publishAsync(`${base}/sensors/kitchen`, JSON.stringify({ celsius: 21.5 }), { qos: 1, retain: true });

  let run: Run;
  try {
    run = await firstRun(flowId);
  } finally {
    // Stopped first, so the empty message that clears the retained one from the shared broker starts no run.
    await trpc("mutation", "flow.deactivate", { workspaceId, flowId });
    await publisher.publishAsync(`${base}/sensors/kitchen`, "", { qos: 1, retain: true });
  }
  expect(run).toMatchObject({ status: "succeeded", trigger: "mqtt" });
  expect(outputOf(run, "sensor")).toEqual([expect.objectContaining({ topic: `${base}/sensors/kitchen`, payload: { celsius: 21.5 }, retain: expect.any(Boolean) })]);
  expect(await runsOf(flowId)).toHaveLength(1);
});

test("ab.split answers each visitor with their variant, ab.goal counts purchases, abTest.results compares them", async ({ request }) => {
  const variants = [
    { name: "plain", weight: 50 },
    { name: "bright", weight: 50 },
  ];
  const variantOf = (key: string) => variantAt({ variants, point: hashPoint({ experiment: "checkout", key }) });
  const flowId = await activate(
    "Shop",
    [
      webhook("e2e/shop/visit"),
      { id: "split", type: "ab.split", config: { experiment: "checkout", key: "{{ body.userId }}", variants } },
      { id: "plainPage", type: "core.respond-to-webhook", config: { headers: [{ name: "x-page", value: "plain" }] } },
      { id: "brightPage", type: "core.respond-to-webhook", config: { headers: [{ name: "x-page", value: "bright" }] } },
      { id: "buy", type: "core.webhook", config: { path: "e2e/shop/buy", respond: "respondNode" } },
      { id: "goal", type: "ab.goal", config: { experiment: "checkout", key: "{{ body.userId }}" } },
      respond(),
    ],
    [
      { source: "hook", target: "split" },
      { source: "split", sourcePort: "plain", target: "plainPage" },
      { source: "split", sourcePort: "bright", target: "brightPage" },
      { source: "buy", target: "goal" },
      { source: "goal", target: "answer" },
    ],
  );

  const visitors = Array.from({ length: 12 }, (_, i) => `visitor-${i}`);
  for (const userId of visitors) {
    const res = await request.post(`${hooks}/e2e/shop/visit`, { data: { userId } });
    expect((await answerOf(res)).ab).toEqual({ experiment: "checkout", variant: variantOf(userId), key: userId });
    expect(res.headers()["x-page"]).toBe(variantOf(userId));
  }
  const buyers = visitors.filter((_, i) => i % 3 === 0);
  for (const userId of buyers) {
    const res = await request.post(`${hooks}/e2e/shop/buy`, { data: { userId } });
    expect((await answerOf(res)).ab).toEqual({ experiment: "checkout", key: userId, variant: variantOf(userId), counted: true });
  }

  const count = (variant: string, keys: string[]) => keys.filter((key) => variantOf(key) === variant).length;
  const [result] = await trpc<{ experiment: string; variants: { name: string; exposures: number; conversions: number }[] }[]>("query", "abTest.results", { workspaceId, flowId });
  expect(result!.experiment).toBe("checkout");
  expect(result!.variants.map(({ name, exposures, conversions }) => ({ name, exposures, conversions }))).toEqual(
    variants.map(({ name }) => ({ name, exposures: count(name, visitors), conversions: count(name, buyers) })),
  );
});

/** Fetches the HLS ladder a transcode answered with: master playlist, rendition playlist and its first segment. */
async function expectHls(request: APIRequestContext, answer: { hls: { playlistUrl: string; renditions: { playlistUrl: string }[] } }) {
  expect(answer.hls.playlistUrl).toMatch(/^\/files\//);
  const master = await request.get(answer.hls.playlistUrl);
  expect(master.status()).toBe(200);
  const playlist = await master.text();
  expect(playlist).toMatch(/^#EXTM3U/);
  expect(playlist).toContain("#EXT-X-STREAM-INF");
  expect(playlist).toContain("0/index.m3u8");
  const rendition = await request.get(answer.hls.renditions[0]!.playlistUrl);
  expect(rendition.status()).toBe(200);
  const segments = (await rendition.text()).split("\n").filter((line) => line && !line.startsWith("#"));
  expect(segments.length).toBeGreaterThan(0);
  const segment = await request.get(new URL(segments[0]!, new URL(answer.hls.renditions[0]!.playlistUrl, "http://files.test")).pathname);
  expect(segment.status()).toBe(200);
  expect((await segment.body()).length).toBeGreaterThan(0);
}

const ladder = { renditions: [{ height: 144, videoBitrateKbps: 200, audioBitrateKbps: 64 }], segmentSeconds: 1 };

test("media.transcode turns a video uploaded as the body into HLS served at the answered /files URL", async ({ request }) => {
  await activate("Transcode upload", [webhook("e2e/transcode/upload", { maxBodyBytes: 8 * 1024 * 1024, timeoutMs: 50_000 }), { id: "transcode", type: "media.transcode", config: ladder }, respond()]);

  const res = await request.post(`${hooks}/e2e/transcode/upload`, { data: video, headers: { "content-type": "video/mp4" }, timeout: 55_000 });
  const answer = await answerOf(res);
  expect(answer.source).toEqual({ format: expect.stringContaining("mp4"), width: 320, height: 180, videoCodec: "h264", audioCodec: "aac" });
  expect(answer.durationSeconds).toBeCloseTo(2, 0);
  await expectHls(request, answer);
});

test("media.transcode fetches a video from an HTTP URL on a local server and answers with its HLS", async ({ request }) => {
  const origin = await startTestServer((req, res) => {
    if (req.url !== "/talk.mp4") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "video/mp4", "content-length": video.length }).end(video);
  });
  await activate("Transcode URL", [webhook("e2e/transcode/url", { timeoutMs: 50_000 }), { id: "transcode", type: "media.transcode", config: { ...ladder, source: "url", url: "{{ body.url }}" } }, respond()]);

  const res = await request.post(`${hooks}/e2e/transcode/url`, { data: { url: `${origin.url}/talk.mp4` }, timeout: 55_000 });
  const answer = await answerOf(res);
  expect(answer.source).toMatchObject({ width: 320, height: 180 });
  await expectHls(request, answer);
});

test("feed.trigger starts a run with the entry added to a local RSS feed", async () => {
  const feed = await feedServer("application/rss+xml", rss([{ guid: "first", title: "First post" }]));
  const flowId = await activate("Feed", [{ id: "feed", type: "feed.trigger", config: { url: feed.url, intervalSeconds: 1 } }]);
  // The first check only remembers what is there; by the second one it has been stored.
  await expect.poll(() => feed.state.requests, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  expect(await runsOf(flowId)).toEqual([]);
  feed.state.body = rss([
    { guid: "second", title: "Second post" },
    { guid: "first", title: "First post" },
  ]);

  let run: Run;
  try {
    run = await firstRun(flowId);
  } finally {
    await trpc("mutation", "flow.deactivate", { workspaceId, flowId });
  }
  expect(run).toMatchObject({ status: "succeeded", trigger: "feed" });
  expect(outputOf(run, "feed")).toEqual([expect.objectContaining({ id: "second", title: "Second post", link: "https://example.test/second", feed: { title: "Test news", link: "https://example.test/" } })]);
});

test("voice.trigger answers a multipart WAV upload of a spoken command with its intent", async ({ request }) => {
  await activate("Voice", [
    {
      id: "voice",
      type: "voice.trigger",
      config: {
        path: "e2e/voice",
        respond: "respondNode",
        intents: [{ name: "lights.set", patterns: ["turn (on|off):state the {room} lights"] }],
        slots: [{ name: "room", values: ["kitchen", "bedroom", "living room"] }],
      },
    },
    respond({ body: { said: "{{ text }}", intent: "{{ intent }}", entities: "{{ entities }}", device: "{{ request.body.device }}" } }),
  ]);

  const res = await request.post(`${hooks}/e2e/voice`, {
    multipart: { device: "hall-panel", audio: { name: "command.wav", mimeType: "audio/wav", buffer: wav } },
  });
  expect(await answerOf(res)).toEqual({ said: "turn on the kitchen lights", intent: "lights.set", entities: { state: "on", room: "kitchen" }, device: "hall-panel" });
});
