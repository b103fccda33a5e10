import { describe, expect, it } from "vitest";
import { codeNode } from "../../code/code.node";
import { setNode } from "../../set/set.node";
import { nodeRegistry } from "../../registry";
import { runNode } from "../../../runner/node-testing";
import { importN8n, looksLikeN8n } from "./n8n-import";

type Raw = { name: string; type: string; typeVersion?: number; parameters?: Record<string, unknown>; [key: string]: unknown };

const base = (type: string) => (type.includes(".") ? type : `n8n-nodes-base.${type}`);

function workflow(nodes: Raw[], connections: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    name: "Fixture",
    nodes: nodes.map((n, i) => ({ id: `id-${i}`, typeVersion: 1, position: [i * 200, 0], parameters: {}, ...n, type: base(n.type) })),
    connections,
    ...extra,
  };
}

const main = (...targets: { node: string; index?: number }[][]) => ({ main: targets.map((t) => t.map((x) => ({ node: x.node, type: "main", index: x.index ?? 0 }))) });

function imported(value: unknown) {
  const result = importN8n(JSON.stringify(value));
  if (!result.ok) throw new Error(JSON.stringify(result.report, null, 2));
  const [flow] = result.flows;
  const [report] = result.report.flows;
  return { document: flow!.document, report: report!, byName: (name: string) => flow!.document.nodes.find((n) => n.name === name)! };
}

/** Each mapped node must be one our registry accepts as it is (expressions aside). */
function expectValid(document: { nodes: { type: string; name: string; config: Record<string, unknown> }[] }) {
  for (const node of document.nodes) {
    const definition = nodeRegistry.get(node.type);
    expect(definition, node.type).toBeDefined();
    const parsed = definition!.config.safeParse(node.config);
    expect(parsed.success, `${node.name}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  }
}

describe("n8n import: node types", () => {
  it("maps triggers: webhook, manual, start, schedule, cron, MQTT, RSS, error and execute-workflow triggers", () => {
    const { document, byName } = imported(
      workflow([
        { name: "Hook", type: "webhook", typeVersion: 2, parameters: { path: "orders/new", httpMethod: "POST", responseMode: "responseNode" } },
        { name: "Click", type: "manualTrigger" },
        { name: "Old start", type: "start" },
        { name: "Every 10", type: "scheduleTrigger", typeVersion: 1.2, parameters: { rule: { interval: [{ field: "minutes", minutesInterval: 10 }] } } },
        { name: "Daily", type: "scheduleTrigger", typeVersion: 1.2, parameters: { rule: { interval: [{ triggerAtHour: 8, triggerAtMinute: 30 }] } } },
        { name: "Cron", type: "cron", parameters: { triggerTimes: { item: [{ mode: "everyWeek", hour: 9, minute: 0, weekday: 1 }] } } },
        { name: "Sensors", type: "mqttTrigger", parameters: { topics: "home/+/temp, office/#", options: { jsonParseBody: true } }, credentials: { mqtt: { id: "1", name: "Home broker" } } },
        { name: "Feed", type: "rssFeedReadTrigger", parameters: { feedUrl: "https://example.com/feed.xml" } },
        { name: "On error", type: "errorTrigger" },
        { name: "Called", type: "executeWorkflowTrigger" },
      ]),
    );
    expect(byName("Hook")).toMatchObject({ type: "core.webhook", config: { path: "orders/new", methods: ["POST"], respond: "respondNode" } });
    expect(byName("Click").type).toBe("core.manual-trigger");
    expect(byName("Old start").type).toBe("core.manual-trigger");
    expect(byName("Every 10").config).toEqual({ cron: "*/10 * * * *" });
    expect(byName("Daily").config).toEqual({ cron: "30 8 * * *" });
    expect(byName("Cron").config).toEqual({ cron: "0 9 * * 1" });
    expect(byName("Sensors")).toMatchObject({ type: "mqtt.trigger", config: { topics: ["home/+/temp", "office/#"], parseJson: true }, credentials: { "mqtt.broker": { name: "Home broker" } } });
    expect(byName("Feed")).toMatchObject({ type: "feed.trigger", config: { url: "https://example.com/feed.xml", intervalSeconds: 60 } });
    expect(byName("On error").type).toBe("core.manual-trigger");
    expect(byName("Called").type).toBe("core.manual-trigger");
    expectValid(document);
  });

  it("maps set v1, v3 and v3.4, if v1 and v2, filter, switch v1 and v3, merge, code, function, noOp, wait", () => {
    const { document, byName, report } = imported(
      workflow([
        { name: "Set1", type: "set", parameters: { values: { string: [{ name: "a", value: "x" }], number: [{ name: "n", value: 2 }] }, keepOnlySet: true } },
        { name: "Set3", type: "set", typeVersion: 3, parameters: { fields: { values: [{ name: "b", stringValue: "={{ $json.a }}" }, { name: "c", type: "numberValue", numberValue: 3 }] }, include: "none" } },
        { name: "Set34", type: "set", typeVersion: 3.4, parameters: { assignments: { assignments: [{ id: "1", name: "d", value: "={{ $json.b }}", type: "string" }] }, includeOtherFields: true } },
        { name: "If1", type: "if", parameters: { conditions: { number: [{ value1: "={{ $json.n }}", operation: "larger", value2: 1 }] }, combineOperation: "any" } },
        { name: "If2", type: "if", typeVersion: 2, parameters: { conditions: { combinator: "and", conditions: [{ leftValue: "={{ $json.a }}", rightValue: "x", operator: { type: "string", operation: "equals" } }] } } },
        { name: "Filter", type: "filter", typeVersion: 2, parameters: { conditions: { conditions: [{ leftValue: "={{ $json.ok }}", operator: { type: "boolean", operation: "true", singleValue: true } }] } } },
        { name: "Switch1", type: "switch", parameters: { dataType: "string", value1: "={{ $json.kind }}", rules: { rules: [{ value2: "a" }, { value2: "b", output: 1 }] }, fallbackOutput: 2 } },
        { name: "Switch3", type: "switch", typeVersion: 3, parameters: { rules: { values: [{ conditions: { conditions: [{ leftValue: "={{ $json.n }}", rightValue: 5, operator: { type: "number", operation: "gt" } }] } }] }, options: { fallbackOutput: "extra" } } },
        { name: "Merge", type: "merge", typeVersion: 2.1, parameters: { mode: "combine", combineBy: "combineByPosition" } },
        { name: "Code", type: "code", typeVersion: 2, parameters: { jsCode: "return items; // {{ not an expression }}" } },
        { name: "Fn", type: "function", parameters: { functionCode: "return items;" } },
        { name: "Nothing", type: "noOp" },
        { name: "Pause", type: "wait", typeVersion: 1.1, parameters: { amount: 5, unit: "seconds" } },
      ]),
    );
    expect(byName("Set1").config).toEqual({ fields: [{ name: "n", value: 2 }, { name: "a", value: "x" }], keepOnlySet: true });
    expect(byName("Set3").config).toEqual({ fields: [{ name: "b", value: "{{ $json.a }}" }, { name: "c", value: 3 }], keepOnlySet: true, types: { b: "string" } });
    expect(byName("Set34").config).toEqual({ fields: [{ name: "d", value: "{{ $json.b }}" }], keepOnlySet: false, types: { d: "string" } });
    expect(byName("If1").config).toEqual({ conditions: [{ left: "{{ $json.n }}", operator: "greaterThan", right: 1 }], combine: "or" });
    expect(byName("If2").config).toEqual({ conditions: [{ left: "{{ $json.a }}", operator: "equals", right: "x" }], combine: "and" });
    expect(byName("Filter")).toMatchObject({ type: "core.if", config: { conditions: [{ left: "{{ $json.ok }}", operator: "isTrue" }] } });
    expect(byName("Switch1").config).toMatchObject({ rules: [{ operator: "equals", right: "a" }, { operator: "equals", right: "b" }], fallback: true });
    expect(byName("Switch3").config).toMatchObject({ rules: [{ left: "{{ $json.n }}", operator: "greaterThan", right: 5 }], fallback: true });
    expect(byName("Merge").config).toEqual({ mode: "byPosition", unpaired: "drop" });
    expect(byName("Code").config).toEqual({ code: "return items; // {{ not an expression }}", compat: "n8n" });
    expect(byName("Fn").type).toBe("core.code");
    expect(byName("Nothing")).toMatchObject({ type: "core.set", config: { fields: [] } });
    expect(byName("Pause")).toMatchObject({ type: "core.delay", config: { ms: 5000 } });
    expect(report.placeholders).toEqual([]);
    expectValid(document);
  });

  it("maps HTTP requests v1 and v4, respond to webhook, split out, aggregate, execute workflow, MQTT, e-mail and messages as alerts", () => {
    const { document, byName, report } = imported(
      workflow([
        { name: "Http1", type: "httpRequest", parameters: { url: "https://api.example.com/a", requestMethod: "POST", jsonParameters: true, bodyParametersJson: '{"a":1}', headerParametersJson: '{"X-Key": "k"}' } },
        {
          name: "Http4",
          type: "httpRequest",
          typeVersion: 4.2,
          parameters: { method: "PUT", url: "=https://api.example.com/items/{{ $json.id }}", sendQuery: true, queryParameters: { parameters: [{ name: "q", value: "x" }] }, sendBody: true, specifyBody: "json", jsonBody: '{"b":2}', authentication: "genericCredentialType", genericAuthType: "httpHeaderAuth", options: { timeout: 5000 } },
          credentials: { httpHeaderAuth: { id: "9", name: "Shop key" } },
        },
        { name: "HttpJson", type: "httpRequest", typeVersion: 4.2, parameters: { method: "POST", url: "https://example.com", sendHeaders: true, specifyHeaders: "json", jsonHeaders: '{"X-Key": "k", "X-N": 2}' } },
        { name: "HttpBuilt", type: "httpRequest", typeVersion: 4.2, parameters: { url: "https://example.com", sendQuery: true, specifyQuery: "json", jsonQuery: "={{ $json.query }}" } },
        { name: "Answer", type: "respondToWebhook", parameters: { respondWith: "json", responseBody: '{"ok":true}', options: { responseCode: 201 } } },
        { name: "Split", type: "splitOut", parameters: { fieldToSplitOut: "lines" } },
        { name: "Agg", type: "aggregate", parameters: { fieldsToAggregate: { fieldToAggregate: [{ fieldToAggregate: "id" }] } } },
        { name: "Sub", type: "executeWorkflow", parameters: { workflowId: { __rl: true, value: "42" } } },
        { name: "Publish", type: "mqtt", parameters: { topic: "home/light", sendInputData: false, message: "on" }, credentials: { mqtt: { name: "Home broker" } } },
        { name: "Mail", type: "emailSend", typeVersion: 2, parameters: { toEmail: "ops@example.com", subject: "=Order {{ $json.id }}", text: "done" }, credentials: { smtp: { name: "Mail server" } } },
        { name: "Slack", type: "slack", typeVersion: 2, parameters: { text: "=New {{ $json.id }}" } },
        { name: "Telegram", type: "telegram", parameters: { chatId: "123", text: "hi" } },
        { name: "Discord", type: "discord", parameters: { text: "hi" } },
        { name: "Read feed", type: "rssFeedRead", parameters: { url: "https://example.com/rss" } },
      ]),
    );
    expect(byName("Http1").config).toMatchObject({ method: "POST", url: "https://api.example.com/a", bodyMode: "json", body: { a: 1 }, headers: [{ name: "X-Key", value: "k" }] });
    expect(byName("Http4")).toMatchObject({ config: { method: "PUT", url: "https://api.example.com/items/{{ $json.id }}", query: [{ name: "q", value: "x" }], bodyMode: "json", body: { b: 2 }, timeoutMs: 5000 }, credentials: { "http.header-auth": { name: "Shop key" } } });
    expect(byName("HttpJson").config).toMatchObject({ headers: [{ name: "X-Key", value: "k" }, { name: "X-N", value: "2" }] });
    expect(byName("HttpBuilt").type).toBe("core.placeholder");
    expect(report.placeholders).toEqual([{ name: "HttpBuilt", sourceType: "n8n-nodes-base.httpRequest", note: "its query is JSON built by an expression; ours names each parameter" }]);
    expect(byName("Answer").config).toEqual({ status: 201, headers: [], body: { ok: true } });
    expect(byName("Split").type).toBe("core.code");
    expect(byName("Agg").type).toBe("core.code");
    expect(byName("Sub")).toMatchObject({ type: "core.execute-flow", config: { flowId: "42" } });
    expect(byName("Publish")).toMatchObject({ type: "mqtt.publish", config: { topic: "home/light", payload: "on" } });
    expect(byName("Mail")).toMatchObject({ type: "messaging.alert", config: { title: "Order {{ $json.id }}", message: "done", channels: [{ kind: "email", to: "ops@example.com" }] }, credentials: { "smtp.server": { name: "Mail server" } } });
    expect(byName("Slack").config).toMatchObject({ message: "New {{ $json.id }}", channels: [{ kind: "slack" }] });
    expect(byName("Telegram").config).toMatchObject({ channels: [{ kind: "telegram", chatId: "123" }] });
    expect(byName("Discord").config).toMatchObject({ channels: [{ kind: "discord" }] });
    expect(byName("Read feed").type).toBe("core.http-request");
    expect(report.credentials).toContainEqual({ node: "Http4", name: "Shop key", type: "http.header-auth" });
    expect(report.credentials).toContainEqual({ node: "Slack", name: "Slack credential", type: "slack.incoming-webhook" });
    expectValid(document);
  });

  it("folds a chat model into a chain or an agent without tools as one LLM node; an OpenAI node maps too", () => {
    const { document, byName, report } = imported(
      workflow(
        [
          { name: "Chat", type: "manualTrigger" },
          { name: "Model", type: "@n8n/n8n-nodes-langchain.lmChatOpenAi", parameters: { model: "gpt-4o", options: { temperature: 0.2 } }, credentials: { openAiApi: { name: "OpenAI key" } } },
          { name: "Chain", type: "@n8n/n8n-nodes-langchain.chainLlm", parameters: { promptType: "define", text: "=Summarize {{ $json.text }}" } },
          { name: "Ask", type: "@n8n/n8n-nodes-langchain.openAi", parameters: { resource: "text", operation: "message", modelId: { __rl: true, value: "gpt-4o-mini" }, messages: { values: [{ content: "=Hi {{ $json.name }}" }] } } },
        ],
        { Chat: main([{ node: "Chain" }]), Model: { ai_languageModel: [[{ node: "Chain", type: "ai_languageModel", index: 0 }]] }, Chain: main([{ node: "Ask" }]) },
      ),
    );
    expect(document.nodes.map((n) => n.name)).toEqual(["Chat", "Chain", "Ask"]);
    expect(byName("Chain")).toMatchObject({ type: "ai.llm", config: { providers: [{ kind: "openai", model: "gpt-4o" }], prompt: "Summarize {{ $json.text }}", temperature: 0.2 } });
    expect(byName("Ask")).toMatchObject({ type: "ai.llm", config: { providers: [{ kind: "openai", model: "gpt-4o-mini" }], prompt: "Hi {{ $json.name }}" } });
    expect(report.nodes).toEqual({ total: 4, mapped: 4 });
    expect(report.connections).toEqual({ kept: 3, dropped: [] });
    expectValid(document);
  });

  it("makes an agent with tools an LLM node with its model, keeping each tool as a placeholder that says why it is not called", () => {
    const { document, byName, report } = imported(
      workflow(
        [
          { name: "Chat", type: "manualTrigger" },
          { name: "Agent", type: "@n8n/n8n-nodes-langchain.agent", parameters: { text: "={{ $json.q }}", options: { systemMessage: "You help." } } },
          { name: "Model", type: "@n8n/n8n-nodes-langchain.lmChatOpenAi", parameters: { model: "gpt-4o" } },
          { name: "Calc", type: "@n8n/n8n-nodes-langchain.toolCalculator" },
          { name: "Memory", type: "@n8n/n8n-nodes-langchain.memoryBufferWindow" },
        ],
        {
          Chat: main([{ node: "Agent" }]),
          Model: { ai_languageModel: [[{ node: "Agent", type: "ai_languageModel", index: 0 }]] },
          Calc: { ai_tool: [[{ node: "Agent", type: "ai_tool", index: 0 }]] },
          Memory: { ai_memory: [[{ node: "Agent", type: "ai_memory", index: 0 }]] },
        },
      ),
    );
    expect(byName("Agent")).toMatchObject({ type: "ai.llm", config: { providers: [{ kind: "openai", model: "gpt-4o" }], prompt: "{{ $json.q }}", system: "You help.", replyField: "output" } });
    expect(document.nodes.map((n) => n.name)).toEqual(["Chat", "Agent", "Calc", "Memory"]);
    expect(byName("Calc").config).toMatchObject({ note: '"Agent" became an LLM node, which calls no tools; "Calc" stays beside it for reference' });
    expect(report.notes).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"Agent": its tool "Calc" is not called'),
        '"Agent": its chat memory is not carried over; each run asks the model afresh',
      ]),
    );
    expect(report.connections.dropped.map((d) => d.reason)).toEqual(['"Agent" became an LLM node, which calls no tools; "Calc" stays beside it for reference', '"Agent" became an LLM node, which keeps no chat memory; "Memory" stays beside it for reference']);
    expect(report.nodes).toEqual({ total: 5, mapped: 3 });
    expectValid(document);
  });

  it("turns sticky notes into notes and everything else into placeholders that keep parameters, ports and connections", () => {
    const { document, byName, report } = imported(
      workflow(
        [
          { name: "Start", type: "manualTrigger" },
          { name: "Sheet", type: "googleSheets", typeVersion: 4.5, parameters: { operation: "append", range: "={{ $json.range }}", note: "Dear {{name}}" }, credentials: { googleSheetsOAuth2Api: { name: "My Google" } } },
          { name: "After", type: "noOp" },
          { name: "Note", type: "stickyNote", parameters: { content: "## Read me", width: 300, height: 200, color: 4 } },
        ],
        { Start: main([{ node: "Sheet" }]), Sheet: main([{ node: "After" }], [{ node: "After" }]) },
      ),
    );
    expect(byName("Sheet")).toMatchObject({
      type: "core.placeholder",
      config: { source: "n8n", sourceType: "n8n-nodes-base.googleSheets", sourceVersion: "4.5", parameters: { operation: "append", range: "={{ $json.range }}", note: "Dear {{name}}" }, inputs: ["in"], outputs: ["out", "out-2"] },
    });
    expect(document.edges.map((e) => `${e.source}:${e.sourcePort}>${e.target}:${e.targetPort}`)).toEqual(["id-0:out>id-1:in", "id-1:out>id-2:in", "id-1:out-2>id-2:in"]);
    // Spread as the nodes are (our cards are wider than n8n's squares), so the note still covers the same nodes.
    expect(document.notes).toEqual([{ id: "note-1", text: "## Read me", position: { x: 600 * 1.4, y: 0 }, width: 300 * 1.4, height: 200 * 1.2, color: "pink" }]);
    expect(report.placeholders).toEqual([{ name: "Sheet", sourceType: "n8n-nodes-base.googleSheets" }]);
    expect(report.credentials).toEqual([{ node: "Sheet", name: "My Google", type: "googleSheetsOAuth2Api" }]);
    expectValid(document);
  });
});

describe("n8n import: code and raw Set", () => {
  it("runs per-item n8n code once for each item, with $json and $input.item, keeping the code as written", async () => {
    const jsCode = "$input.item.json.double = $json.n * 2;\nreturn $input.item;";
    const { byName } = imported(workflow([{ name: "Each", type: "code", typeVersion: 2, parameters: { mode: "runOnceForEachItem", jsCode } }]));
    expect(byName("Each").config).toEqual({ code: jsCode, compat: "n8n", perItem: true });
    const { items } = await runNode(codeNode, { input: [{ json: { n: 1 } }, { json: { n: 4 } }], config: byName("Each").config });
    expect(items.map((i) => i.json)).toEqual([{ n: 1, double: 2 }, { n: 4, double: 8 }]);
  });

  it("runs n8n code for all items unchanged, and notes only what the n8n mode does not give", async () => {
    const jsCode = 'const items = $input.all();\nconst temp = $("Weather").first().json.temp;\nreturn items.map((item) => ({ json: { ...item.json, temp, warm: temp > 20 } }));';
    const { byName, report } = imported(
      workflow([
        { name: "All", type: "code", typeVersion: 2, parameters: { jsCode } },
        { name: "Dated", type: "code", typeVersion: 2, parameters: { jsCode: "return [{ json: { at: $now.toISO() } }];" } },
        { name: "Py", type: "code", typeVersion: 2, parameters: { language: "python", pythonCode: "return _input.all()" } },
      ]),
    );
    const { items } = await runNode(codeNode, { input: [{ json: { n: 1 } }], nodeOutputs: { Weather: [{ json: { temp: 21 } }] }, config: byName("All").config });
    expect(items.map((i) => i.json)).toEqual([{ n: 1, temp: 21, warm: true }]);
    expect(report.notes).toEqual(['"Dated": it uses `$now`, which the n8n mode of the code node does not give']);
    expect(byName("Py")).toMatchObject({ type: "core.placeholder", config: { parameters: { pythonCode: "return _input.all()" } } });
    expect(report.placeholders).toEqual([
      { name: "Py", sourceType: "n8n-nodes-base.code", note: "its Python code has no Streamware equivalent; rewrite it in JavaScript in a Code node (the placeholder keeps the Python source)" },
    ]);
  });

  it("maps a raw Set: literal JSON as its object, a JSON expression translated to one building the same object", async () => {
    const { byName, report } = imported(
      workflow([
        { name: "Raw", type: "set", typeVersion: 3.4, parameters: { mode: "raw", jsonOutput: '{ "voice": "af", "n": 2, "note": "{{ literal }}" }' } },
        { name: "Built", type: "set", typeVersion: 3.4, parameters: { mode: "raw", jsonOutput: "={{ { ...$json.order, \"Order total\": $json.order.total, id: 'x' } }}", includeOtherFields: true } },
        { name: "Template", type: "set", typeVersion: 3.3, parameters: { mode: "raw", jsonOutput: '={ "greeting": "Hi {{ $json.name }}!", "n": {{ $json.n }} }' } },
        { name: "Parsed", type: "set", typeVersion: 3.4, parameters: { mode: "raw", jsonOutput: "={{ $json.text.parseJson() }}" } },
        { name: "Kept", type: "set", typeVersion: 3.4, parameters: { mode: "raw", jsonOutput: "={{ $env.SETTINGS }}" } },
      ]),
    );
    expect(byName("Raw").config).toEqual({ json: { voice: "af", n: 2, note: '{{ "{{ literal }}" }}' }, fields: [], keepOnlySet: true });
    const { items: built } = await runNode(setNode, { input: [{ json: { order: { total: 9, paid: true }, other: 1 } }], config: byName("Built").config });
    expect(built[0]!.json).toEqual({ total: 9, paid: true, "Order total": 9, id: "x", order: { total: 9, paid: true }, other: 1 });
    const { items: templated } = await runNode(setNode, { input: [{ json: { name: "Ada", n: 3 } }], config: byName("Template").config });
    expect(templated[0]!.json).toEqual({ greeting: "Hi Ada!", n: 3 });
    const { items: parsed } = await runNode(setNode, { input: [{ json: { text: '{"a":[1,2]}' } }], config: byName("Parsed").config });
    expect(parsed[0]!.json).toEqual({ a: [1, 2] });
    expect(byName("Kept").config.json).toBe("={{ $env.SETTINGS }}");
    expect(report.expressions.flagged).toEqual([{ node: "Kept", field: "jsonOutput", text: "={{ $env.SETTINGS }}", reason: expect.stringContaining("$env") }]);
  });

  it("sets names no path can spell (spaces, dot notation off) as they are", async () => {
    const { byName } = imported(
      workflow([
        { name: "Spaced", type: "set", typeVersion: 3.4, parameters: { assignments: { assignments: [{ name: "First name", value: "={{ $json.a }}" }, { name: "b.c", value: 1 }] }, includeOtherFields: true } },
        { name: "Flat", type: "set", parameters: { values: { string: [{ name: "a.b", value: "x" }] }, options: { dotNotation: false } } },
      ]),
    );
    const { items } = await runNode(setNode, { input: [{ json: { a: "Ada" } }], config: byName("Spaced").config });
    expect(items[0]!.json).toEqual({ a: "Ada", "First name": "Ada", b: { c: 1 } });
    expect(byName("Flat").config).toEqual({ json: { "a.b": "x" }, fields: [], keepOnlySet: false });
  });
});

describe("n8n import: connections, flags, settings", () => {
  it("names a workflow without a name after the file, numbered when the file holds several", () => {
    const { name: _name, ...nameless } = workflow([{ name: "Start", type: "manualTrigger" }]);
    const one = importN8n(JSON.stringify(nameless), { unnamed: "orders-sync" });
    expect(one.ok && one.flows.map((f) => f.name)).toEqual(["orders-sync"]);
    const two = importN8n(JSON.stringify([nameless, nameless]), { unnamed: "orders-sync" });
    expect(two.ok && two.flows.map((f) => f.name)).toEqual(["orders-sync 1", "orders-sync 2"]);
    const named = importN8n(JSON.stringify(workflow([{ name: "Start", type: "manualTrigger" }])), { unnamed: "orders-sync" });
    expect(named.ok && named.flows.map((f) => f.name)).toEqual(["Fixture"]);
  });

  it("wires the If outputs and a merge's second input by index, and reports connections it cannot keep", () => {
    const { document, report } = imported(
      workflow(
        [
          { name: "Start", type: "manualTrigger" },
          { name: "Check", type: "if", parameters: { conditions: { boolean: [{ value1: true }] } } },
          { name: "Join", type: "merge", typeVersion: 2, parameters: { mode: "append" } },
          { name: "Send", type: "httpRequest", typeVersion: 4, parameters: { url: "https://example.com" } },
        ],
        { Start: main([{ node: "Check" }]), Check: main([{ node: "Join" }], [{ node: "Join", index: 1 }]), Join: main([{ node: "Send" }]), Send: main([], [{ node: "Start" }]) },
      ),
    );
    expect(document.edges.map((e) => `${e.sourcePort}>${e.targetPort}`)).toEqual(["out>in", "true>a", "false>b", "out>in"]);
    expect(report.connections.kept).toBe(4);
    expect(report.connections.dropped).toEqual([{ from: "Send", to: "Start", reason: '"Send" has no output 2 in Streamware' }]);
  });

  it("carries disabled, retries, on-error, notes, time zone and pinned data; reports the error workflow", () => {
    const { document, byName, report } = imported(
      workflow(
        [
          { name: "Start", type: "manualTrigger" },
          { name: "Call", type: "httpRequest", typeVersion: 4, parameters: { url: "https://example.com" }, disabled: true, retryOnFail: true, maxTries: 4, waitBetweenTries: 2000, onError: "continueErrorOutput", notes: "calls the shop" },
          { name: "Soft", type: "noOp", continueOnFail: true },
        ],
        {},
        { settings: { timezone: "Europe/Warsaw", errorWorkflow: "77" }, pinData: { Start: [{ json: { a: 1 } }] } },
      ),
    );
    expect(byName("Call")).toMatchObject({ disabled: true, retry: { maxAttempts: 4, backoffMs: 2000 }, onError: "errorPort" });
    expect(byName("Soft").onError).toBe("continue");
    const wired = imported(
      workflow(
        [
          { name: "Start", type: "manualTrigger" },
          { name: "Call", type: "httpRequest", typeVersion: 4, parameters: { url: "https://example.com" }, onError: "continueErrorOutput" },
          { name: "Failed", type: "noOp" },
        ],
        { Start: main([{ node: "Call" }]), Call: main([], [{ node: "Failed" }]) },
      ),
    );
    expect(wired.document.edges.map((e) => e.sourcePort)).toEqual(["out", "error"]);
    expect(document.notes[0]?.text).toBe("Call: calls the shop");
    expect(document.settings.timezone).toBe("Europe/Warsaw");
    expect(document.pinData).toEqual({ "id-0": [{ json: { a: 1 } }] });
    expect(report.notes.join("\n")).toContain('error workflow (n8n id "77")');
  });

  it("counts translated expressions and flags the others on their field", () => {
    const { byName, report } = imported(
      workflow([{ name: "Set", type: "set", typeVersion: 3.4, parameters: { assignments: { assignments: [{ name: "a", value: "={{ $json.x }}" }, { name: "b", value: "={{ $env.SECRET }}" }] } } }]),
    );
    expect(report.expressions.translated).toBe(1);
    expect(report.expressions.flagged).toEqual([{ node: "Set", field: "assignments.assignments[1].value", text: "={{ $env.SECRET }}", reason: expect.stringContaining("$env") }]);
    expect(byName("Set").config.fields).toEqual([{ name: "a", value: "{{ $json.x }}" }, { name: "b", value: "={{ $env.SECRET }}" }]);
  });

  it("reads one workflow, an array, and the API shape; gives the same bytes every time", () => {
    const one = workflow([{ name: "Start", type: "manualTrigger" }]);
    expect(importN8n(JSON.stringify([one, { ...one, name: "Second" }])).ok && importN8n(JSON.stringify([one, one])).report.flows.length).toBe(2);
    const api = importN8n(JSON.stringify({ data: [one] }));
    expect(api.ok && api.flows.map((f) => f.name)).toEqual(["Fixture"]);
    expect(JSON.stringify(importN8n(JSON.stringify(one)))).toBe(JSON.stringify(importN8n(JSON.stringify(one))));
    expect(looksLikeN8n(one)).toBe(true);
    expect(looksLikeN8n({ schema: "streamware.flow/1", nodes: [], edges: [] })).toBe(false);
    expect(looksLikeN8n([{ id: "a", type: "tab" }])).toBe(false);
  });
});

describe("n8n import: bad input", () => {
  const problems = (text: string) => {
    const result = importN8n(text);
    expect(result.ok).toBe(false);
    return [...result.report.problems, ...result.report.flows.flatMap((f) => f.problems)].filter((p) => p.severity === "error");
  };

  it("names what is wrong and where", () => {
    expect(problems("{ nope")[0]).toMatchObject({ path: "(file)", message: expect.stringContaining("is not JSON") });
    expect(problems(JSON.stringify([{ id: "1", type: "tab", label: "Node-RED" }]))[0]?.message).toContain("is not an n8n workflow");
    expect(problems(JSON.stringify({ nodes: [], deep: JSON.parse(`${"[".repeat(500)}${"]".repeat(500)}`) }))[0]?.message).toContain("nests deeper");
    const dup = problems(JSON.stringify(workflow([{ name: "A", type: "noOp" }, { name: "A", type: "noOp" }])));
    expect(dup[0]).toMatchObject({ path: "nodes[1].name", message: expect.stringContaining('two nodes are named "A"') });
    expect(problems(JSON.stringify({ nodes: [{ name: "X", position: [0, 0] }], connections: {} }))[0]).toMatchObject({ path: "nodes[0].type" });
  });

  it("keeps the flow when a connection names a missing node, and reports it at its place", () => {
    const result = importN8n(JSON.stringify(workflow([{ name: "A", type: "manualTrigger" }], { A: main([{ node: "Ghost" }]) })));
    expect(result.ok).toBe(true);
    expect(result.report.flows[0]?.problems).toEqual([{ path: 'connections["A"].main[0][0]', message: 'no node named "Ghost"', severity: "warning" }]);
  });
});
