import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { dashboardWidgetsSchema } from "./dashboard";
import {
  looksLikeMarkdown,
  mediaKindOf,
  PROPOSAL_LIMITS,
  proposedSeriesName,
  proposeWidgets,
  statusLevel,
  type StepOutputSample,
  type WidgetProposal,
} from "./dashboard-proposals";

const flowId = "flow-1";
/** One node's output over runs, newest first: each entry is one run's items. */
const node = (nodeName: string, runs: unknown[][], nodeType = "core.set"): StepOutputSample[] => runs.map((items) => ({ nodeName, nodeType, items }));
const propose = (samples: StepOutputSample[]) => proposeWidgets({ flowId, samples });
/** The parts of a proposal that say what it is, without its place on the grid. */
const brief = (p: WidgetProposal) => ({
  kind: p.widget.kind,
  series: p.widget.series,
  ...(p.widget.field === undefined ? {} : { field: p.widget.field }),
  ...(p.widget.markdown === undefined ? {} : { markdown: p.widget.markdown }),
  reason: p.reason,
  from: p.source.field,
});
const kinds = (proposals: WidgetProposal[]) => proposals.map((p) => `${p.widget.kind} ${p.widget.series.join("+")}${p.widget.field ? ` [${p.widget.field}]` : ""}`);

/** The weather node's item, as it builds it from Open-Meteo's answer (see nodes/weather). */
const forecast = {
  location: { query: "Berlin", name: "Berlin", country: "Germany", countryCode: "DE", admin1: "Land Berlin", latitude: 52.52437, longitude: 13.41053, elevation: 38, timezone: "Europe/Berlin" },
  units: "metric",
  current: { time: "2025-06-12T14:15", interval: 900, temperature_2m: 21.4, relative_humidity_2m: 48, weather_code: 2 },
  currentUnits: { time: "iso8601", interval: "seconds", temperature_2m: "°C", relative_humidity_2m: "%", weather_code: "wmo code" },
  hourly: [{ time: "2025-06-12T00:00", temperature_2m: 15.1 }],
  hourlyUnits: { time: "iso8601", temperature_2m: "°C" },
  daily: [
    { time: "2025-06-12", temperature_2m_max: 23.9, temperature_2m_min: 12.2 },
    { time: "2025-06-13", temperature_2m_max: 25.1, temperature_2m_min: 14 },
  ],
  dailyUnits: { time: "iso8601", temperature_2m_max: "°C", temperature_2m_min: "°C" },
  fromCache: false,
};

describe("proposals by the shape of the data", () => {
  it("a number: a stat tile with a sparkline and a time series, fed by the field's expression", () => {
    expect(propose(node("Sensor", [[{ temperature: 21.5 }]]))).toEqual([
      {
        widget: { id: "stat-1", kind: "stat", title: "Temperature · Sensor", series: ["Sensor.temperature"], layout: { x: 0, y: 0, w: 3, h: 2 } },
        reason: "A number (21.5 in the one run sampled): a stat tile with a sparkline of its recent values",
        source: { node: "Sensor", field: "temperature" },
        publish: [{ series: "Sensor.temperature", value: "{{ temperature }}" }],
      },
      {
        widget: { id: "timeseries-2", kind: "timeseries", title: "Temperature · Sensor", series: ["Sensor.temperature"], layout: { x: 3, y: 0, w: 6, h: 4 } },
        reason: "A number (21.5 in the one run sampled): its history as a time series",
        source: { node: "Sensor", field: "temperature" },
        publish: [{ series: "Sensor.temperature", value: "{{ temperature }}" }],
      },
    ]);
  });

  it("numbers that change across runs come before numbers that stay the same, and the reason says what was seen", () => {
    const proposals = propose(node("Meter", [[{ interval: 900, power: { watts: 120 } }], [{ interval: 900, power: { watts: 80.25 } }], [{ interval: 900, power: { watts: 95 } }]]));
    expect(proposals.map(brief)).toEqual([
      { kind: "stat", series: ["Meter.power.watts"], reason: "A number (latest 120, from 80.25 to 120 over 3 runs): a stat tile with a sparkline of its recent values", from: "power.watts" },
      { kind: "timeseries", series: ["Meter.power.watts"], reason: "A number (latest 120, from 80.25 to 120 over 3 runs): its history as a time series", from: "power.watts" },
      { kind: "stat", series: ["Meter.interval"], reason: "A number (900 in each of 3 runs): a stat tile with a sparkline of its recent values", from: "interval" },
      { kind: "timeseries", series: ["Meter.interval"], reason: "A number (900 in each of 3 runs): its history as a time series", from: "interval" },
    ]);
  });

  it("an object of numbers: one chart with a series for each", () => {
    expect(propose(node("Host", [[{ load: { cpu: 0.5, memory: 0.75, disk: 0.1 } }]]))).toEqual([
      {
        widget: { id: "timeseries-1", kind: "timeseries", title: "Load · Host", series: ["Host.load.cpu", "Host.load.memory", "Host.load.disk"], layout: { x: 0, y: 0, w: 6, h: 4 } },
        reason: "An object of 3 numbers (cpu 0.5, memory 0.75, disk 0.1): one chart with a series for each",
        source: { node: "Host", field: "load" },
        publish: [
          { series: "Host.load.cpu", value: "{{ load.cpu }}" },
          { series: "Host.load.memory", value: "{{ load.memory }}" },
          { series: "Host.load.disk", value: "{{ load.disk }}" },
        ],
      },
    ]);
  });

  it("a list of records: a table, and a bar chart of its first numeric column", () => {
    const orders = [
      { id: "A-1", customer: "Ada", total: 12.5 },
      { id: "A-2", customer: "Grace", total: 7 },
      { id: "A-3", customer: "Linus", total: null },
    ];
    expect(propose(node("Shop", [[{ orders }]]))).toEqual([
      {
        widget: { id: "table-1", kind: "table", title: "Orders · Shop", series: ["Shop.orders"], layout: { x: 0, y: 0, w: 6, h: 5 } },
        reason: "A list of 3 records (columns id, customer, total): a table",
        source: { node: "Shop", field: "orders" },
        publish: [{ series: "Shop.orders", value: "{{ orders }}" }],
      },
      {
        widget: { id: "bar-2", kind: "bar", title: "Total · Orders · Shop", series: ["Shop.orders"], field: "total", layout: { x: 6, y: 0, w: 6, h: 4 } },
        reason: 'A list of 3 records with a numeric column "total": a bar for each row',
        source: { node: "Shop", field: "orders" },
        publish: [{ series: "Shop.orders", value: "{{ orders }}" }],
      },
    ]);
  });

  it("records without a numeric column: a table only", () => {
    expect(kinds(propose(node("Directory", [[{ people: [{ name: "Ada", team: "core" }, { name: "Grace" }] }]])))).toEqual(["table Directory.people"]);
  });

  it("several items in one run are rows of one table, each item a point", () => {
    const rows = [
      { city: "Berlin", temp: 20 },
      { city: "Paris", temp: 24 },
    ];
    expect(propose(node("Cities", [rows])).map((p) => ({ ...brief(p), publish: p.publish }))).toEqual([
      { kind: "table", series: ["Cities"], reason: "2 items in the latest run (columns city, temp): a table", from: "", publish: [{ series: "Cities", value: "{{ $json }}" }] },
      { kind: "bar", series: ["Cities"], field: "temp", reason: '2 items in the latest run with a numeric column "temp": a bar for each row', from: "", publish: [{ series: "Cities", value: "{{ $json }}" }] },
    ]);
  });

  it("text: shown as it is, or formatted when it reads as markdown", () => {
    const plain = "The kitchen is warm and the windows are closed.";
    const markdown = "## Summary\n\nSales are **up** 4% this week.";
    expect(propose(node("Writer", [[{ plain, markdown }]])).map(brief)).toEqual([
      { kind: "text", series: ["Writer.plain"], reason: 'Text ("The kitchen is warm and the windows are…"): shown as it is', from: "plain" },
      { kind: "text", series: ["Writer.markdown"], markdown: true, reason: 'Text that reads as markdown ("## Summary Sales are **up** 4% this wee…"): shown formatted', from: "markdown" },
    ]);
  });

  it("a media address: a player, whatever kind of media", () => {
    const item = {
      stream: "https://cdn.example.com/live/master.m3u8?token=abc",
      clip: "https://cdn.example.com/clips/goal.mp4",
      preview: "https://cdn.example.com/clips/goal.webm",
      voice: "https://cdn.example.com/answer.mp3",
      bell: "/files/bell.wav",
      rain: "https://cdn.example.com/rain.ogg",
      photo: "https://cdn.example.com/cat.JPG",
      page: "https://example.com/about",
      ftp: "ftp://example.com/movie.mp4",
    };
    expect(propose(node("Media", [[item]])).map(brief)).toEqual([
      { kind: "media", series: ["Media.stream"], reason: 'The address of an HLS playlist ("https://cdn.example.com/live/master.m3u8?token=abc"): a player', from: "stream" },
      { kind: "media", series: ["Media.clip"], reason: 'The address of a video ("https://cdn.example.com/clips/goal.mp4"): a player', from: "clip" },
      { kind: "media", series: ["Media.preview"], reason: 'The address of a video ("https://cdn.example.com/clips/goal.webm"): a player', from: "preview" },
      { kind: "media", series: ["Media.voice"], reason: 'The address of an audio file ("https://cdn.example.com/answer.mp3"): a player', from: "voice" },
      { kind: "media", series: ["Media.bell"], reason: 'The address of an audio file ("/files/bell.wav"): a player', from: "bell" },
      { kind: "media", series: ["Media.rain"], reason: 'The address of an audio file ("https://cdn.example.com/rain.ogg"): a player', from: "rain" },
      { kind: "media", series: ["Media.photo"], reason: 'The address of an image ("https://cdn.example.com/cat.JPG"): a player', from: "photo" },
      { kind: "text", series: ["Media.page"], reason: 'Text ("https://example.com/about"): shown as it is', from: "page" },
      { kind: "text", series: ["Media.ftp"], reason: 'Text ("ftp://example.com/movie.mp4"): shown as it is', from: "ftp" },
    ]);
  });

  it("the transcode node's outputs: a player for each address it signed, before its figures", () => {
    const signed = (id: string, file: string) => `/files/cmws1/${id}/tOkEn_abc-123/${file}`;
    const transcoded = {
      durationSeconds: 3,
      speed: 1.2,
      hls: { playlistUrl: signed("h1", "master.m3u8"), renditions: [{ height: 360, bitrate: 800, playlistUrl: signed("h1", "0/index.m3u8") }] },
      mp4: { url: signed("m1", "output.mp4"), size: 123456 },
      thumbnails: [{ timeSeconds: 0, id: "t1/thumb-001.jpg", url: signed("t1", "thumb-001.jpg") }],
      audio: { url: signed("a1", "audio.mp3"), format: "mp3", size: 4567 },
    };
    expect(kinds(propose(node("Transcode", [[transcoded]], "media.transcode")))).toEqual([
      "media Transcode.hls.playlistUrl",
      "media Transcode.mp4.url",
      "media Transcode.audio.url",
      "stat Transcode.durationSeconds",
      "timeseries Transcode.durationSeconds",
      "stat Transcode.speed",
      "timeseries Transcode.speed",
      "stat Transcode.mp4.size",
      "timeseries Transcode.mp4.size",
      "stat Transcode.audio.size",
      "timeseries Transcode.audio.size",
      "table Transcode.hls.renditions",
      "bar Transcode.hls.renditions [height]",
      "table Transcode.thumbnails",
      "bar Transcode.thumbnails [timeSeconds]",
      "text Transcode.audio.format",
    ]);
    expect(propose(node("Transcode", [[transcoded]]))[0]!.reason).toBe('The address of an HLS playlist ("/files/cmws1/h1/tOkEn_abc-123/master.m3u8"): a player');
    expect(propose(node("Transcode", [[transcoded]])).find((p) => p.widget.kind === "table" && p.source.field === "thumbnails")!.reason).toBe(
      "A list of 1 record (columns timeSeconds, id, url): a table",
    );
  });

  it("the A/B split's assignments: one variant comparison per experiment, also when downstream nodes pass them on", () => {
    const assigned = (variant: string, key: string) => ({ userId: key, ab: { experiment: "checkout", variant, key } });
    const samples = [
      ...node("Split", [[assigned("A", "u1")], [assigned("B", "u2")]], "ab.split"),
      ...node("Page", [[{ ...assigned("A", "u1"), html: "<p>hi</p>" }]]),
      // A goal node's `ab` says whether it counted, and may name another flow's experiment.
      ...node("Goal", [[{ ab: { experiment: "elsewhere", key: "u1", variant: "A", counted: true } }]], "ab.goal"),
    ];
    const proposals = propose(samples);
    expect(proposals[0]).toEqual({
      widget: { id: "abTest-1", kind: "abTest", title: "Experiment checkout", series: [], experiment: { flowId, name: "checkout" }, layout: { x: 0, y: 0, w: 6, h: 5 } },
      reason: `Items carry the A/B split's assignments to experiment "checkout" (variants seen: A, B): compare the variants' conversion rates, lift, interval and p-value`,
      source: { node: "Split", field: "ab" },
      publish: [],
    });
    expect(proposals.filter((p) => p.widget.kind === "abTest")).toHaveLength(1);
    expect(proposals.some((p) => p.widget.experiment?.name === "elsewhere")).toBe(false);
  });

  it("the weather node's forecast: a weather card and a chart of the current temperature, not a widget per field", () => {
    expect(propose(node("Weather", [[forecast]], "weather.forecast"))).toEqual([
      {
        widget: { id: "weather-1", kind: "weather", title: "Weather · Berlin, Germany", series: ["Weather"], layout: { x: 0, y: 0, w: 6, h: 4 } },
        reason: "A weather forecast for Berlin, Germany (current conditions, 2 days, 1 hour): a weather card",
        source: { node: "Weather", field: "" },
        publish: [{ series: "Weather", value: "{{ $json }}" }],
      },
      {
        widget: { id: "timeseries-2", kind: "timeseries", title: "Temperature · Berlin, Germany", series: ["Weather.current.temperature_2m"], unit: "°C", layout: { x: 6, y: 0, w: 6, h: 4 } },
        reason: "The forecast's current temperature (21.4°C): its history as a time series",
        source: { node: "Weather", field: "current.temperature_2m" },
        publish: [{ series: "Weather.current.temperature_2m", value: "{{ current.temperature_2m }}", unit: "°C" }],
      },
    ]);
  });

  it("a boolean or a status word: a status light", () => {
    const samples = node("Probe", [[{ online: true, state: "OK", db: "down" }], [{ online: false, state: "error", db: "up" }]]);
    expect(propose(samples).map(brief)).toEqual([
      { kind: "status", series: ["Probe.online"], reason: "A yes/no value (latest true, false in 1 of 2 runs): a status light", from: "online" },
      { kind: "status", series: ["Probe.state"], reason: 'A status word ("OK", "error"): a status light', from: "state" },
      { kind: "status", series: ["Probe.db"], reason: 'A status word ("down", "up"): a status light', from: "db" },
    ]);
  });

  it("a word that is a status in one run and free text in another is text", () => {
    expect(kinds(propose(node("Probe", [[{ note: "ok" }], [{ note: "the disk is nearly full" }]])))).toEqual(["text Probe.note"]);
  });

  it("leaves out timestamps, identifiers, empty texts, nulls and HTTP headers", () => {
    const item = {
      at: "2026-12-06T01:00:00.000Z",
      day: "2026-12-06",
      id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
      runId: "clx1y2z3a0000abcd1234efgh",
      blank: "   ",
      nothing: null,
      response: { headers: { "content-type": "application/json" }, status: "ok" },
    };
    expect(kinds(propose(node("Call", [[item]])))).toEqual(["status Call.response.status"]);
  });

  it("a number written as text (a query string, a form): a number, which its publish node turns back into one", () => {
    const samples = node("Form", [[{ temp: "21.5", zip: "0012", code: "1234567890123456789" }], [{ temp: "-3", zip: "0012", code: "1234567890123456788" }]]);
    expect(propose(samples).map((p) => ({ ...brief(p), publish: p.publish }))).toEqual([
      { kind: "stat", series: ["Form.temp"], reason: "A number written as text (latest 21.5, from -3 to 21.5 over 2 runs): a stat tile with a sparkline of its recent values", from: "temp", publish: [{ series: "Form.temp", value: "{{ $number(temp) }}" }] },
      { kind: "timeseries", series: ["Form.temp"], reason: "A number written as text (latest 21.5, from -3 to 21.5 over 2 runs): its history as a time series", from: "temp", publish: [{ series: "Form.temp", value: "{{ $number(temp) }}" }] },
      { kind: "text", series: ["Form.zip"], reason: 'Text ("0012"): shown as it is', from: "zip", publish: [{ series: "Form.zip", value: "{{ zip }}" }] },
      { kind: "text", series: ["Form.code"], reason: 'Text ("1234567890123456789"): shown as it is', from: "code", publish: [{ series: "Form.code", value: "{{ code }}" }] },
    ]);
  });

  it("a webhook's items: only the body and query hold data, not the method or path", () => {
    const hook = { method: "POST", path: "/hooks/home/sensor", headers: { "user-agent": "curl" }, query: { room: "kitchen" }, body: { temperature: 19.5 } };
    expect(kinds(propose(node("Hook", [[hook]], "core.webhook")))).toEqual(["stat Hook.body.temperature", "timeseries Hook.body.temperature", "text Hook.query.room"]);
  });

  it("ranks what only this data can show first, then numbers, objects of numbers, lists, status and text, across nodes", () => {
    const samples = [
      ...node("Notes", [[{ summary: "All quiet." }]]),
      ...node("Health", [[{ up: true, latency: { p50: 12, p99: 80 } }]]),
      ...node("Camera", [[{ snapshot: "https://cam.example.com/now.png", people: 3 }]]),
      ...node("Weather", [[forecast]], "weather.forecast"),
      ...node("Rows", [[{ items: [{ sku: "x", qty: 1 }] }]]),
    ];
    expect(kinds(propose(samples))).toEqual([
      "weather Weather",
      "timeseries Weather.current.temperature_2m",
      "media Camera.snapshot",
      "stat Camera.people",
      "timeseries Camera.people",
      "timeseries Health.latency.p50+Health.latency.p99",
      "table Rows.items",
      "bar Rows.items [qty]",
      "status Health.up",
      "text Notes.summary",
    ]);
  });

  it("names series after the node and field, with characters series names cannot hold made spaces, and feeds them with quoted keys", () => {
    const [stat] = propose(node("Sensor (kitchen) #1", [[{ "room temp": 20, "a`b": 1 }]]));
    expect(stat).toMatchObject({ widget: { series: ["Sensor kitchen 1.room temp"] }, source: { node: "Sensor (kitchen) #1", field: "room temp" }, publish: [{ value: "{{ `room temp` }}" }] });
    expect(proposedSeriesName({ node: "Sensor", path: ["x".repeat(200)] })).toBeNull();
    expect(proposedSeriesName({ node: "!!!", path: [] })).toBeNull();
    // A key with a backtick cannot be written in an expression, so nothing could feed its widget.
    expect(propose(node("Odd", [[{ "a`b": 1 }]]))).toEqual([]);
  });

  it("each publish expression reads, from the item, the value the proposal was made from", async () => {
    const item = { power: { watts: 120 }, "room temp": 20, and: 3, orders: [{ total: 1 }], state: "ok", count: "42" };
    for (const proposal of propose(node("Meter", [[item]]))) {
      for (const { value } of proposal.publish) {
        const expression = value.replace(/^\{\{ (.*) \}\}$/, "$1");
        const read = await jsonata(expression).evaluate(item, { json: item });
        const field = proposal.source.field.split(".").reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], item);
        expect(read).toEqual(value.includes("$number(") ? Number(field) : field);
      }
    }
  });

  it("gives the same proposals for the same samples, with ids of their own, laid out on the grid", () => {
    const samples = node("Many", [[Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`metric${i}`, i]))]]);
    const first = propose(samples);
    expect(propose(samples)).toEqual(first);
    expect(first).toHaveLength(PROPOSAL_LIMITS.proposals);
    expect(dashboardWidgetsSchema.safeParse(first.map((p) => p.widget)).success).toBe(true);
    const cells = new Set<string>();
    for (const { layout } of first.map((p) => p.widget)) {
      expect(layout.x + layout.w).toBeLessThanOrEqual(12);
      for (let x = layout.x; x < layout.x + layout.w; x++) {
        for (let y = layout.y; y < layout.y + layout.h; y++) {
          expect(cells.has(`${x},${y}`), `cell ${x},${y} taken twice`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it("a value passed on downstream is proposed once, from the node that made it", () => {
    const made = { temperature: 20, camera: "https://cam.test/live.m3u8", rows: [{ n: 1 }], load: { a: 1, b: 2 } };
    const samples = [
      ...node("Sensor", [[made], [{ ...made, temperature: 18 }]]),
      // Tagged downstream: same fields, same values in every run, plus one of its own.
      ...node("Tag", [[{ ...made, label: "kitchen" }], [{ ...made, temperature: 18, label: "kitchen" }]]),
      // The same field name with other values is another node's own.
      ...node("Other", [[{ temperature: 5 }], [{ temperature: 18 }]]),
    ];
    expect(kinds(propose(samples))).toEqual([
      "media Sensor.camera",
      "stat Sensor.temperature",
      "timeseries Sensor.temperature",
      "stat Other.temperature",
      "timeseries Other.temperature",
      "timeseries Sensor.load.a+Sensor.load.b",
      "table Sensor.rows",
      "bar Sensor.rows [n]",
      "text Tag.label",
    ]);
  });

  it("rows and forecasts passed on downstream are proposed once too", () => {
    const rows = [{ sku: "a", qty: 1 }, { sku: "b", qty: 2 }];
    const samples = [
      ...node("Weather", [[forecast]], "weather.forecast"),
      ...node("Rainy?", [[{ ...forecast, rain: false }]], "core.if"),
      ...node("Stock", [rows]),
      ...node("Filter", [rows], "core.if"),
    ];
    expect(kinds(propose(samples))).toEqual(["weather Weather", "timeseries Weather.current.temperature_2m", "table Stock", "bar Stock [qty]"]);
  });

  it("lays the proposals out in order, each as high as it fits, small tiles filling the gaps beside charts", () => {
    const layouts = propose(node("Three", [[{ a: 1, b: 2, c: 3, note: "fine" }]])).map((p) => `${p.widget.id} ${Object.values(p.widget.layout).join(",")}`);
    expect(layouts).toEqual(["stat-1 0,0,3,2", "timeseries-2 3,0,6,4", "stat-3 9,0,3,2", "timeseries-4 0,4,6,4", "stat-5 9,2,3,2", "timeseries-6 6,4,6,4", "text-7 0,8,6,3"]);
  });

  it("proposes nothing for no runs, empty outputs and items with nothing to show", () => {
    expect(propose([])).toEqual([]);
    expect(propose(node("Empty", [[], [{}]]))).toEqual([]);
    expect(propose(node("Start", [[{}]], "core.manual-trigger"))).toEqual([]);
  });
});

describe("bounds", () => {
  it("a huge list is looked at by its first rows", () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => ({ n: i, label: `row ${i}` }));
    expect(kinds(propose(node("Big", [[{ rows }]])))).toEqual(["table Big.rows", "bar Big.rows [n]"]);
    expect(propose(node("Big", [[{ rows }]]))[0]!.reason).toBe("A list of 200000 records (columns n, label): a table");
  });

  it("deep nesting stops at the depth limit without recursing through it", () => {
    let deep: Record<string, unknown> = { value: 1 };
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    const shallow = { a: { b: { c: { level3: 3, d: { level4: 4 } } } } };
    expect(propose(node("Deep", [[deep]]))).toEqual([]);
    expect(kinds(propose(node("Shallow", [[shallow]])))).toEqual(["stat Shallow.a.b.c.level3", "timeseries Shallow.a.b.c.level3"]);
  });

  it("an object with very many keys, many items, runs and nodes stay bounded", () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, `value ${i}`]));
    expect(propose(node("Wide", [[wide]]))).toHaveLength(PROPOSAL_LIMITS.proposals);
    expect(kinds(propose(node("Wide rows", [Array.from({ length: 10_000 }, () => wide)])))).toEqual(["table Wide rows"]);
    const manyNodes = Array.from({ length: 1000 }, (_, i) => node(`Node ${i}`, [[{ count: i }]])).flat();
    const proposals = propose(manyNodes);
    expect(proposals).toHaveLength(PROPOSAL_LIMITS.proposals);
    expect(proposals.at(-1)!.source.node).toBe("Node 9");
    const manyRuns = node("Runs", Array.from({ length: 1000 }, (_, i) => [{ n: i }]));
    expect(propose(manyRuns)[0]!.reason).toBe(`A number (latest 0, from 0 to ${PROPOSAL_LIMITS.runsPerNode - 1} over ${PROPOSAL_LIMITS.runsPerNode} runs): a stat tile with a sparkline of its recent values`);
  });

  it("odd values do not break it", () => {
    const odd = [
      { nodeName: "Odd", nodeType: "core.code", items: [null, 5, "text", [1, 2]] },
      { nodeName: "Odder", nodeType: "core.code", items: "not a list" as unknown as unknown[] },
      ...node("Numbers", [[{ inf: Infinity, nan: NaN, big: Number.MAX_VALUE, tiny: -0, list: [1, 2, 3], mixed: [{ a: 1 }, 2], nested: [[{ a: 1 }]] }]]),
      ...node("Huge text", [[{ text: "# Title\n" + "word ".repeat(500_000), url: `https://x.test/${"a".repeat(5000)}.mp4` }]]),
    ];
    const proposals = propose(odd);
    expect(kinds(proposals)).toEqual(["stat Numbers.big", "timeseries Numbers.big", "stat Numbers.tiny", "timeseries Numbers.tiny", "text Huge text.text", "text Huge text.url"]);
    expect(proposals[4]!.widget.markdown).toBe(true);
    expect(dashboardWidgetsSchema.safeParse(proposals.map((p) => p.widget)).success).toBe(true);
  });
});

describe("what widgets ask of their values", () => {
  it("tells the media kind of an address", () => {
    expect(mediaKindOf("https://a.test/x/index.m3u8")).toBe("hls");
    expect(mediaKindOf("http://a.test/v.MP4#t=3")).toBe("video");
    expect(mediaKindOf("/files/a.opus")).toBe("audio");
    expect(mediaKindOf("https://a.test/p.avif?w=200")).toBe("image");
    expect(mediaKindOf("javascript:alert(1)//.mp4")).toBeNull();
    expect(mediaKindOf("data:image/png;base64,AAAA.png")).toBeNull();
    expect(mediaKindOf("cat.png")).toBeNull();
    expect(mediaKindOf("https://a.test/watch?v=.mp4")).toBeNull();
    expect(mediaKindOf("https://a.test/a b.mp4")).toBeNull();
  });

  it("tells the light of a status", () => {
    expect([true, false, "OK", " up ", "Down", "degraded", "on", "off", "maybe", 1, null].map(statusLevel)).toEqual(["good", "bad", "good", "good", "bad", "warning", "good", "bad", null, null, null]);
  });

  it("tells markdown from plain text", () => {
    expect(looksLikeMarkdown("# Title")).toBe(true);
    expect(looksLikeMarkdown("Read [the docs](https://docs.test)")).toBe(true);
    expect(looksLikeMarkdown("- eggs\n- milk")).toBe(true);
    expect(looksLikeMarkdown("| a | b |\n|---|---|\n| 1 | 2 |")).toBe(true);
    expect(looksLikeMarkdown("```js\nx()\n```")).toBe(true);
    expect(looksLikeMarkdown("a **bold** move")).toBe(true);
    expect(looksLikeMarkdown("- one dash line")).toBe(false);
    expect(looksLikeMarkdown("Temperature is 21 °C, #1 in town")).toBe(false);
    expect(looksLikeMarkdown("\n".repeat(100_000) + "# late")).toBe(false);
  });
});
