import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { dashboardWidgetsSchema } from "../../nodes/_core/dashboard";
import { LLM_LAYOUT_LIMITS } from "../../nodes/_core/dashboard-llm-layout";
import { openMeteo } from "../../nodes/weather/weather-test-server";
import type { Runtime } from "../../runner/runtime";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { runService } from "../services/run-service";
import { startTestRuntime } from "../test-runtime";
import { createHttpClient } from "../../runner/http-client";
import { startOllamaServer, startOpenAIServer, type Reply } from "../../nodes/llm/test-servers";
import { createContextInner } from "../context";
import { createCallerFactory } from "../trpc";
import { appRouter } from "./_app";
import { addMember, rejection, secretBox, signInAs } from "./test-helpers";

type Caller = Awaited<ReturnType<typeof signInAs>>["caller"];

const node = (id: string, name: string, type: string, config: Record<string, unknown> = {}) => ({ id, name, type, position: { x: 0, y: 0 }, config });
const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, target });

/**
 * A flow whose nodes emit each shape a dashboard draws: the trigger's readings, a Set node adding a status and a
 * report, an A/B split of the users, and the weather for the city the input names.
 */
function monitorFlow(weatherBase: Record<string, string>) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      node("start", "Start", "core.manual-trigger"),
      node("check", "Check", "core.set", {
        fields: [
          { name: "healthy", value: "{{ temperature < 30 }}" },
          { name: "report", value: "## Kitchen\n\n- temperature {{ temperature }}\n- door {{ door }}" },
        ],
      }),
      node("split", "Split", "ab.split", { experiment: "checkout", variants: [{ name: "A", weight: 50 }, { name: "B", weight: 50 }], key: "{{ user }}" }),
      node("weather", "Weather", "weather.forecast", { location: "{{ city }}", current: ["temperature_2m"], daily: ["temperature_2m_max"], ...weatherBase }),
    ],
    edges: [edge("start", "check"), edge("check", "split"), edge("start", "weather")],
  };
}

const reading = (temperature: number, city = "Berlin") => ({
  temperature,
  door: temperature > 20 ? "open" : "closed",
  camera: "https://cam.example.com/kitchen/live.m3u8",
  user: `user-${temperature}`,
  city,
  sensors: [
    { name: "fridge", watts: 90 },
    { name: "oven", watts: temperature * 10 },
  ],
});

const FINISHED = ["succeeded", "failed", "cancelled"];

async function run(caller: Caller, ref: { workspaceId: string; flowId: string }, input: unknown, source: "draft" | "active" = "draft") {
  const { runId } = await caller.run.start({ ...ref, input, source });
  for (let poll = 0; poll < 1500; poll++) {
    const found = await caller.run.get({ workspaceId: ref.workspaceId, runId });
    if (FINISHED.includes(found.status)) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe.each(databaseKinds)("dashboard proposals on %s", (kind) => {
  const database = useTestDatabase(kind);
  let runtime: Runtime;
  let weather: Awaited<ReturnType<typeof openMeteo>>;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    weather = await openMeteo();
  });
  afterAll(async () => {
    await runtime?.close();
    await weather?.server.close();
  });

  it("proposes widgets from what the flow's latest successful runs emitted, through the real engine", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Builder" });
    const workspaceId = workspace.id;
    const document = monitorFlow(weather.base);
    const flow = await caller.flow.create({ workspaceId, name: "Kitchen monitor", document });
    const ref = { workspaceId, flowId: flow.id };

    expect(await caller.dashboardProposal.propose(ref)).toEqual({ runs: 0, proposals: [] });

    expect((await run(caller, ref, reading(19))).status).toBe("succeeded");
    // A saved, active version runs too; its runs read the version's document.
    await caller.flow.saveVersion({ ...ref, document, message: "v1" });
    await caller.flow.activate(ref);
    expect((await run(caller, ref, reading(21.5), "active")).status).toBe("succeeded");
    await caller.flow.deactivate(ref);
    // A failed run (no such city) is not sampled: its 99 degrees appear nowhere.
    expect((await run(caller, ref, reading(99, "Atlantis"))).status).toBe("failed");

    const { runs, proposals } = await caller.dashboardProposal.propose(ref);
    expect(runs).toBe(2);
    // The variants the split gave the two users, newest run first, as the runs stored them.
    const assigned = await database.db.step.findMany({ where: { workspaceId, nodeId: "split", status: "succeeded" }, select: { output: true }, orderBy: { startedAt: "desc" } });
    const variants = [...new Set(assigned.flatMap((step) => Object.keys((step.output as { items: Record<string, unknown[]> }).items)))].join(", ");
    expect(proposals.map((p) => ({ id: p.widget.id, series: p.widget.series, field: p.widget.field, source: `${p.source.node}:${p.source.field}`, reason: p.reason }))).toEqual([
      {
        id: "abTest-1",
        series: [],
        field: undefined,
        source: "Split:ab",
        reason: `Items carry the A/B split's assignments to experiment "checkout" (variants seen: ${variants}): compare the variants' conversion rates, lift, interval and p-value`,
      },
      { id: "weather-2", series: ["Weather"], field: undefined, source: "Weather:", reason: "A weather forecast for Berlin, Germany (current conditions, 3 days, 72 hours): a weather card" },
      { id: "timeseries-3", series: ["Weather.current.temperature_2m"], field: undefined, source: "Weather:current.temperature_2m", reason: "The forecast's current temperature (21.4°C): its history as a time series" },
      { id: "media-4", series: ["Start.camera"], field: undefined, source: "Start:camera", reason: 'The address of an HLS playlist ("https://cam.example.com/kitchen/live.m3u8"): a player' },
      // The Set node and the split pass the trigger's fields on: each is proposed once, from the trigger.
      { id: "stat-5", series: ["Start.temperature"], field: undefined, source: "Start:temperature", reason: "A number (latest 21.5, from 19 to 21.5 over 2 runs): a stat tile with a sparkline of its recent values" },
      { id: "timeseries-6", series: ["Start.temperature"], field: undefined, source: "Start:temperature", reason: "A number (latest 21.5, from 19 to 21.5 over 2 runs): its history as a time series" },
      { id: "table-7", series: ["Start.sensors"], field: undefined, source: "Start:sensors", reason: "A list of 2 records (columns name, watts): a table" },
      { id: "bar-8", series: ["Start.sensors"], field: "watts", source: "Start:sensors", reason: 'A list of 2 records with a numeric column "watts": a bar for each row' },
      { id: "status-9", series: ["Check.healthy"], field: undefined, source: "Check:healthy", reason: "A yes/no value (true in each of 2 runs): a status light" },
      { id: "text-10", series: ["Start.city"], field: undefined, source: "Start:city", reason: 'Text ("Berlin"): shown as it is' },
      { id: "text-11", series: ["Start.door"], field: undefined, source: "Start:door", reason: 'Text ("open"): shown as it is' },
      { id: "text-12", series: ["Start.user"], field: undefined, source: "Start:user", reason: 'Text ("user-21.5"): shown as it is' },
      { id: "text-13", series: ["Check.report"], field: undefined, source: "Check:report", reason: 'Text that reads as markdown ("## Kitchen - temperature 21.5 - door op…"): shown formatted' },
    ]);
    expect(dashboardWidgetsSchema.safeParse(proposals.map((p) => p.widget)).success).toBe(true);

    // Reading is bounded by runs and by steps per run, the first steps to start coming first.
    const latest = await runService.recentStepOutputs({ db: database.db, workspaceId, flowId: flow.id, runs: 1, stepsPerRun: 2 });
    expect(latest.runs).toBe(1);
    expect(latest.samples).toHaveLength(2);
    expect(latest.samples[0]).toEqual({ nodeName: "Start", nodeType: "core.manual-trigger", items: [reading(21.5)] });
  });

  it("feeds every proposed series once its publish nodes are added, and the proposed widgets make a dashboard", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Publisher" });
    const workspaceId = workspace.id;
    const document = monitorFlow(weather.base);
    const flow = await caller.flow.create({ workspaceId, name: "Published monitor", document });
    const ref = { workspaceId, flowId: flow.id };
    await run(caller, ref, reading(19));
    const { proposals } = await caller.dashboardProposal.propose(ref);

    // A publish node after each source node, for each series a proposal names, as a person accepting them would add.
    const publishes = new Map(proposals.flatMap((p) => p.publish.map((config) => [config.series, { node: p.source.node, config }] as const)));
    const idOf = (name: string) => document.nodes.find((n) => n.name === name)!.id;
    const added = [...publishes.values()].map(({ node: source, config }, i) => ({ id: `publish${i}`, source: idOf(source), config }));
    const published = {
      ...document,
      nodes: [...document.nodes, ...added.map((p) => node(p.id, `Publish ${p.config.series}`, "dashboard.publish", { ...p.config }))],
      // The split sends each item out of its variant's port; the publish nodes listen on both.
      edges: [...document.edges, ...added.flatMap((p) => (p.source === "split" ? ["A", "B"].map((port) => ({ ...edge(p.source, p.id), id: `${p.id}-${port}`, sourcePort: port })) : [edge(p.source, p.id)]))],
    };
    await caller.flow.saveDraft({ ...ref, document: published });
    expect((await run(caller, ref, reading(23))).status).toBe("succeeded");

    const series = await caller.dashboard.series({ workspaceId });
    const last = Object.fromEntries(series.map((s) => [s.series, s.last.value ?? s.last.data]));
    expect(Object.keys(last).sort()).toEqual([...publishes.keys()].sort());
    expect(last["Start.temperature"]).toBe(23);
    expect(last["Start.camera"]).toBe("https://cam.example.com/kitchen/live.m3u8");
    expect(last["Check.healthy"]).toBe(true);
    expect(last["Start.sensors"]).toEqual([
      { name: "fridge", watts: 90 },
      { name: "oven", watts: 230 },
    ]);
    expect(last["Weather.current.temperature_2m"]).toBe(21.4);
    expect(series.find((s) => s.series === "Weather.current.temperature_2m")?.unit).toBe("°C");
    expect((last.Weather as { location: { name: string } }).location.name).toBe("Berlin");

    const dashboard = await caller.dashboard.create({ workspaceId, name: "Kitchen", widgets: proposals.map((p) => p.widget) });
    expect((await caller.dashboard.get({ workspaceId, dashboardId: dashboard.id })).widgets).toEqual(proposals.map((p) => p.widget));
  });

  it("creates a dashboard of the kept widgets and adds the publish nodes they need to the live flow", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Generator" });
    const workspaceId = workspace.id;
    const document = monitorFlow(weather.base);
    const flow = await caller.flow.create({ workspaceId, name: "Generated monitor", document });
    const ref = { workspaceId, flowId: flow.id };
    await caller.flow.saveVersion({ ...ref, document, message: "v1" });
    await caller.flow.activate(ref);
    expect((await run(caller, ref, reading(19), "active")).status).toBe("succeeded");
    const { proposals } = await caller.dashboardProposal.propose(ref);
    const kept = proposals.filter((p) => ["stat", "table", "media"].includes(p.widget.kind)).map((p) => p.widget);
    // A series the workspace has from elsewhere needs no publish node.
    const widgets = [...kept, { id: "other", kind: "text" as const, title: "Elsewhere", series: ["elsewhere"], layout: { x: 0, y: 20, w: 6, h: 3 } }];

    const created = await caller.dashboardProposal.create({ ...ref, name: "Kitchen at a glance", widgets });
    expect(created.feed.where).toBe("live");
    expect(created.feed.added.map((a) => `${a.after} → ${a.node}`).sort()).toEqual(["Start → Publish Start.camera", "Start → Publish Start.sensors", "Start → Publish Start.temperature"]);
    expect(created.feed.notes).toEqual(["Version 2 of the flow, with the publish nodes, is now active."]);
    expect((await caller.dashboard.get({ workspaceId, dashboardId: created.id })).widgets).toEqual(widgets);

    // The next triggered run feeds the dashboard's series.
    expect((await run(caller, ref, reading(24), "active")).status).toBe("succeeded");
    const last = Object.fromEntries((await caller.dashboard.series({ workspaceId })).map((s) => [s.series, s.last.value ?? s.last.data]));
    expect(last).toEqual({
      "Start.temperature": 24,
      "Start.camera": "https://cam.example.com/kitchen/live.m3u8",
      "Start.sensors": [
        { name: "fridge", watts: 90 },
        { name: "oven", watts: 240 },
      ],
    });

    // A second dashboard of the same series adds nothing; a draft with other changes is not made live.
    const again = await caller.dashboardProposal.create({ ...ref, name: "Again", widgets: kept });
    expect(again.feed).toEqual({ added: [], where: "none", notes: [] });
    const status = proposals.find((p) => p.widget.kind === "status")!.widget;
    const draft = await caller.flow.get(ref);
    await caller.flow.saveDraft({ ...ref, document: { ...draft.draft, notes: [{ id: "n1", text: "work in progress", position: { x: 0, y: 0 } }] } });
    const drafted = await caller.dashboardProposal.create({ ...ref, name: "Health", widgets: [status] });
    expect(drafted.feed.where).toBe("draft");
    expect(drafted.feed.notes).toEqual(["The publish nodes are in the flow's draft, which has other unsaved changes: save a version and activate it so triggers feed the dashboard."]);
    expect((await caller.flow.get(ref)).liveVersionNumber).toBe(2);

    // An editor's work: a viewer may not create one.
    const viewer = await signInAs({ db: database.db, name: "Onlooker" });
    await addMember({ db: database.db, by: { id: (await database.db.membership.findFirstOrThrow({ where: { workspaceId, role: "owner" }, select: { userId: true } })).userId }, workspaceId, user: viewer.user, role: "viewer" });
    expect((await rejection(viewer.caller.dashboardProposal.create({ ...ref, name: "No", widgets: kept }))).code).toBe("FORBIDDEN");
  });

  describe.each([
    { provider: "OpenAI", type: "openai.api", start: startOpenAIServer, data: (url: string) => ({ apiKey: "sk-test", baseUrl: `${url}/v1` }) },
    { provider: "Ollama", type: "ollama.api", start: startOllamaServer, data: (url: string) => ({ baseUrl: url }) },
  ])("a layout described to $provider", ({ provider, type, start, data }) => {
    let answer: Reply = { tokens: [] };
    let server: Awaited<ReturnType<typeof startOpenAIServer>>;
    beforeAll(async () => {
      server = await start(() => answer);
    });
    afterAll(async () => {
      await server?.close();
    });

    async function setUp() {
      const { user, workspace } = await signInAs({ db: database.db, name: `Describer-${provider}` });
      const caller = createCallerFactory(appRouter)(createContextInner({ db: database.db, user, secretBox, connectionTestHttp: () => createHttpClient({ allow: ["127.0.0.1"] }) }));
      const workspaceId = workspace.id;
      const flow = await caller.flow.create({ workspaceId, name: "Described", document: monitorFlow(weather.base) });
      await run(caller, { workspaceId, flowId: flow.id }, reading(20));
      const credential = await caller.credential.create({ workspaceId, name: `${provider} key`, type, data: data(server.url) });
      return { caller, ref: { workspaceId, flowId: flow.id }, credentialId: credential.id };
    }

    it("keeps the widgets that pass and leaves out the rest with a note each", async () => {
      const { caller, ref, credentialId } = await setUp();
      const widgets = [
        { kind: "stat", title: "Temperature now", series: ["Start.temperature"], unit: "°C" },
        { kind: "timeseries", title: "Temperature", series: ["Start.temperature"], w: 12, h: 4 },
        { kind: "gauge", title: "Dial", series: ["Start.temperature"] },
        { kind: "table", title: "Made up", series: ["Nowhere.rows"] },
        { kind: "button", title: "Press", series: [] },
        { kind: "abTest", title: "Checkout", series: [], experiment: "checkout" },
        { kind: "stat", title: "x".repeat(200), series: ["Start.temperature"] },
      ];
      const text = JSON.stringify({ widgets });
      answer = { tokens: [text.slice(0, 40), text.slice(40)] };
      const requests = server.requests.length;
      const result = await caller.dashboardProposal.layout({ ...ref, credentialId, model: "test-model", description: "The kitchen's temperature first, then the experiment" });

      expect(result.widgets.map((w) => ({ kind: w.kind, title: w.title, series: w.series, layout: w.layout }))).toEqual([
        { kind: "stat", title: "Temperature now", series: ["Start.temperature"], layout: { x: 0, y: 0, w: 3, h: 2 } },
        { kind: "timeseries", title: "Temperature", series: ["Start.temperature"], layout: { x: 0, y: 2, w: 12, h: 4 } },
        { kind: "abTest", title: "Checkout", series: [], layout: { x: 0, y: 6, w: 6, h: 5 } },
      ]);
      expect(result.widgets.find((w) => w.kind === "abTest")?.experiment).toEqual({ flowId: ref.flowId, name: "checkout" });
      expect(result.notes).toEqual([
        `Widget "Dial" was left out: kind: A widget's kind is one of stat, timeseries, table, text, status, bar, media, abTest, weather, button, form, switch, slider, voice.`,
        `Widget "Made up" was left out: "Nowhere.rows" is not a series this flow feeds.`,
        `Widget "Press" was left out: a button widget starts a flow, which a person sets up by hand.`,
        `Widget "${"x".repeat(60)}" was left out: title: Keep a widget title under 120 characters.`,
      ]);
      // The model was told the description and the series on offer, and asked for JSON.
      const sent = server.requests.slice(requests).find((r) => r.path.includes("chat"))!;
      const said = JSON.stringify(sent.body);
      expect(said).toContain("The kitchen's temperature first, then the experiment");
      expect(said).toContain("Start.sensors");
      expect(sent.body.model).toBe("test-model");
    });

    it("stops reading an answer that runs too long", async () => {
      const { caller, ref, credentialId } = await setUp();
      answer = { tokens: ['{"widgets":[', ..." ".repeat(LLM_LAYOUT_LIMITS.answer).match(/.{1,1000}/g)!, "]}"] };
      const refused = await rejection(caller.dashboardProposal.layout({ ...ref, credentialId, model: "test-model", description: "Anything" }));
      expect(refused.message).toBe(`${provider} at ${provider === "OpenAI" ? `${server.url}/v1` : server.url} (test-model) could not lay out the dashboard: its answer ran past ${LLM_LAYOUT_LIMITS.answer} characters`);
    });

    it("answers a provider's error with what went wrong", async () => {
      const { caller, ref, credentialId } = await setUp();
      answer = { status: 400, body: provider === "OpenAI" ? { error: { message: "model test-model does not exist" } } : { error: "model 'test-model' not found" } };
      const refused = await rejection(caller.dashboardProposal.layout({ ...ref, credentialId, model: "test-model", description: "Anything" }));
      expect(refused.code).toBe("BAD_REQUEST");
      const at = provider === "OpenAI" ? `${server.url}/v1` : server.url;
      const said = provider === "OpenAI" ? "model test-model does not exist" : "model 'test-model' not found";
      expect(refused.message).toBe(`${provider} at ${at} (test-model) could not lay out the dashboard: refused the request (400): ${said}`);
    });
  });

  it("answers another workspace's flow as a missing one, and lets a viewer ask", async () => {
    const owner = await signInAs({ db: database.db, name: "Owner" });
    const intruder = await signInAs({ db: database.db, name: "Intruder" });
    const viewer = await signInAs({ db: database.db, name: "Viewer" });
    const workspaceId = owner.workspace.id;
    const flow = await owner.caller.flow.create({ workspaceId, name: "Private", document: monitorFlow(weather.base) });
    await run(owner.caller, { workspaceId, flowId: flow.id }, reading(18));

    const missing = await rejection(intruder.caller.dashboardProposal.propose({ workspaceId: intruder.workspace.id, flowId: flow.id }));
    expect({ code: missing.code, message: missing.message }).toEqual({ code: "NOT_FOUND", message: "Flow not found" });
    const foreign = await rejection(intruder.caller.dashboardProposal.propose({ workspaceId, flowId: flow.id }));
    expect(foreign.code).toBe("NOT_FOUND");

    await addMember({ db: database.db, by: owner.user, workspaceId, user: viewer.user, role: "viewer" });
    const seen = await viewer.caller.dashboardProposal.propose({ workspaceId, flowId: flow.id, runs: 1 });
    expect(seen.runs).toBe(1);
    expect(seen.proposals.find((p) => p.widget.kind === "stat")?.reason).toBe("A number (18 in the one run sampled): a stat tile with a sparkline of its recent values");
  });

  it("bounds how many runs are read", async () => {
    const { caller, workspace } = await signInAs({ db: database.db, name: "Greedy" });
    const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Any", document: monitorFlow(weather.base) });
    const refused = await rejection(caller.dashboardProposal.propose({ workspaceId: workspace.id, flowId: flow.id, runs: 1000 }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toContain("read at most 20 runs");
  });
});
