import { describe, expect, it } from "vitest";
import { codeNode } from "../../code/code.node";
import { ifNode } from "../../if/if.node";
import { mergeNode } from "../../merge/merge.node";
import { setNode } from "../../set/set.node";
import { nodeRegistry } from "../../registry";
import { switchNode } from "../../switch/switch.node";
import { runNode } from "../../../runner/node-testing";
import { importN8n } from "./n8n-import";
import { isListedN8nNode } from "./n8n-nodes";

// Shapes of n8n parameters by version: LLM sub-nodes, merge modes, HTTP bodies and authentication, conditions,
// messaging operations. Each fixture is written for the shape it tests; mapped nodes are run where they compute.

type Raw = { name: string; type: string; typeVersion?: number; parameters?: Record<string, unknown>; [key: string]: unknown };

const base = (type: string) => (type.includes(".") ? type : `n8n-nodes-base.${type}`);
const lc = (type: string) => `@n8n/n8n-nodes-langchain.${type}`;

function workflow(nodes: Raw[], connections: Record<string, unknown> = {}) {
  return { name: "Fixture", nodes: nodes.map((n, i) => ({ id: `id-${i}`, typeVersion: 1, position: [i * 200, 0], parameters: {}, ...n, type: base(n.type) })), connections };
}

const main = (...targets: { node: string; index?: number }[][]) => ({ main: targets.map((t) => t.map((x) => ({ node: x.node, type: "main", index: x.index ?? 0 }))) });
const ai = (type: string, node: string) => ({ [type]: [[{ node, type, index: 0 }]] });

function imported(value: unknown) {
  const result = importN8n(JSON.stringify(value));
  if (!result.ok) throw new Error(JSON.stringify(result.report, null, 2));
  const [flow] = result.flows;
  const [report] = result.report.flows;
  const byName = (name: string) => flow!.document.nodes.find((n) => n.name === name)!;
  for (const node of flow!.document.nodes) {
    const parsed = nodeRegistry.get(node.type)!.config.safeParse(node.config);
    expect(parsed.success, `${node.name}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  }
  return { document: flow!.document, report: report!, byName };
}

describe("n8n import: chains and agents", () => {
  it("folds an OpenAI-compatible chat model and a structured output parser into the LLM node", () => {
    const { document, byName, report } = imported(
      workflow(
        [
          { name: "Chain", type: lc("chainLlm"), typeVersion: 1.5, parameters: { promptType: "define", text: "=Rate {{ $json.cv }}", hasOutputParser: true } },
          { name: "Gemini", type: lc("lmChatGoogleGemini"), parameters: { modelName: "models/gemini-1.5-pro", options: { temperature: 0.1 } }, credentials: { googlePalmApi: { id: "3", name: "Gemini key" } } },
          { name: "Parser", type: lc("outputParserStructured"), typeVersion: 1.2, parameters: { jsonSchemaExample: '{ "qualified": true, "score": 3, "tags": ["a"] }' } },
        ],
        { Gemini: ai("ai_languageModel", "Chain"), Parser: ai("ai_outputParser", "Chain") },
      ),
    );
    expect(document.nodes.map((n) => n.name)).toEqual(["Chain"]);
    expect(byName("Chain")).toMatchObject({
      type: "ai.llm",
      config: {
        providers: [{ kind: "openai", model: "gemini-1.5-pro", baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai" }],
        prompt: "Rate {{ $json.cv }}",
        temperature: 0.1,
        jsonSchema: { type: "object", properties: { qualified: { type: "boolean" }, score: { type: "number" }, tags: { type: "array", items: { type: "string" } } } },
      },
      credentials: { "openai.api": { name: "Gemini key" } },
    });
    expect(report.nodes).toEqual({ total: 3, mapped: 3 });
    expect(report.connections).toEqual({ kept: 2, dropped: [] });
    expect(report.notes.join("\n")).toContain("put the Google Gemini API key in the OpenAI API credential");
    expect(byName("Chain").config.replyField).toBe("output");
  });

  it("folds nothing from a sub-node that is not in the file, and reports its wire", () => {
    const { byName, report } = imported(
      workflow([{ name: "Agent", type: lc("agent"), parameters: { text: "Hi" } }, { name: "Model", type: lc("lmChatOpenAi") }], {
        Ghost: ai("ai_languageModel", "Agent"),
        Model: ai("ai_languageModel", "Agent"),
      }),
    );
    expect(byName("Agent").type).toBe("ai.llm");
    expect(report.connections.dropped).toEqual([{ from: "Ghost", to: "Agent", reason: 'no node named "Ghost"' }]);
  });

  it("takes a manual schema inside an auto-fixing parser, whose retry our LLM node does itself", () => {
    const { document, byName, report } = imported(
      workflow(
        [
          { name: "Agent", type: lc("agent"), typeVersion: 1.7, parameters: { promptType: "define", text: "Plan", hasOutputParser: true } },
          { name: "Model", type: lc("lmChatOllama"), parameters: { model: "qwen2.5" } },
          { name: "Fixer", type: lc("outputParserAutofixing") },
          { name: "Fixer model", type: lc("lmChatOllama"), parameters: { model: "llama3.2" } },
          { name: "Schema", type: lc("outputParserStructured"), typeVersion: 1.2, parameters: { schemaType: "manual", inputSchema: '{ "type": "array", "items": { "type": "string" } }' } },
        ],
        { Model: ai("ai_languageModel", "Agent"), Fixer: ai("ai_outputParser", "Agent"), "Fixer model": ai("ai_languageModel", "Fixer"), Schema: ai("ai_outputParser", "Fixer") },
      ),
    );
    expect(document.nodes.map((n) => n.name)).toEqual(["Agent"]);
    expect(byName("Agent").config).toMatchObject({ providers: [{ kind: "ollama", model: "qwen2.5" }], jsonSchema: { type: "array", items: { type: "string" } } });
    expect(report.notes.join("\n")).toContain("auto-fixing output parser became the LLM node's own retry");
    expect(report.connections.kept).toBe(4);
  });

  it("sends a chain's images from the item's files with its prompt; one taking an image by URL stays whole with its model", () => {
    const { document, byName, report } = imported(
      workflow(
        [
          { name: "Compare", type: lc("chainLlm"), typeVersion: 1.4, parameters: { text: "Compare", messages: { messageValues: [{ message: "You compare." }, { type: "HumanMessagePromptTemplate", messageType: "imageBinary", binaryImageDataKey: "base" }, { type: "HumanMessagePromptTemplate", messageType: "imageBinary" }] } } },
          { name: "Vision", type: lc("lmChatOpenAi"), parameters: { model: "gpt-4o" } },
          { name: "Chain", type: lc("chainLlm"), typeVersion: 1.4, parameters: { text: "Describe", messages: { messageValues: [{ type: "HumanMessagePromptTemplate", messageType: "imageUrl", imageUrl: "https://example.com/a.png" }] } } },
          { name: "Model", type: lc("lmChatOpenAi"), parameters: { model: "gpt-4o" } },
        ],
        { Vision: ai("ai_languageModel", "Compare"), Model: ai("ai_languageModel", "Chain") },
      ),
    );
    expect(byName("Compare").config).toMatchObject({ system: "You compare.", prompt: "Compare", images: ["base", "data"] });
    expect(report.notes.join("\n")).toContain('its images "base", "data" are sent with the prompt');
    expect(byName("Chain").config).toMatchObject({ note: "its prompt template sends an image (imageUrl), which our LLM node cannot: it sends one system and one user text" });
    expect(byName("Model").type).toBe("core.placeholder");
    expect(document.edges.map((e) => `${e.sourcePort}>${e.targetPort}`)).toEqual(["ai_languageModel>ai_languageModel"]);
    expect(report.connections.dropped).toEqual([]);
  });

  it("puts a chain's human text messages before its prompt, and an OpenAI node's assistant turn into the system prompt", () => {
    const { byName, report } = imported(
      workflow(
        [
          { name: "Chain", type: lc("chainLlm"), typeVersion: 1.5, parameters: { promptType: "define", text: "={{ $json.q }}", messages: { messageValues: [{ type: "HumanMessagePromptTemplate", message: "Context: shop FAQ" }] } } },
          { name: "Model", type: lc("lmChatOpenAi"), parameters: { model: "gpt-4o" } },
          { name: "Ask", type: lc("openAi"), typeVersion: 1.3, parameters: { modelId: { __rl: true, value: "gpt-4o-mini" }, jsonOutput: true, messages: { values: [{ content: "=Post about {{ $json.title }}" }, { role: "assistant", content: "Be witty." }] } } },
          { name: "Picture", type: lc("openAi"), typeVersion: 1.8, parameters: { resource: "image", operation: "generate", prompt: "a cat" } },
        ],
        { Model: ai("ai_languageModel", "Chain") },
      ),
    );
    expect(byName("Chain").config).toMatchObject({ prompt: "Context: shop FAQ\n\n{{ $json.q }}" });
    expect(byName("Ask").config).toMatchObject({ prompt: "Post about {{ $json.title }}", system: "Be witty.", jsonSchema: { type: "object" } });
    expect(byName("Picture").config).toMatchObject({ note: "its image generate operation is not a chat with a model, which is what our LLM node does" });
    expect(report.notes.join("\n")).toContain("its assistant message became part of the system prompt");
  });
});

describe("n8n import: older shapes", () => {
  it("reads the prompt of chains before version 1.3, the legacy OpenAI completion and its options, and refuses an SQL agent", () => {
    const { byName } = imported(
      workflow(
        [
          { name: "Old chain", type: lc("chainLlm"), typeVersion: 1.1, parameters: { prompt: "=Summarize {{ $json.body }}" } },
          { name: "Default chain", type: lc("chainLlm"), typeVersion: 1 },
          { name: "Model", type: lc("lmChatOpenAi"), parameters: { model: "gpt-4o" } },
          { name: "Model 2", type: lc("lmChatOpenAi"), parameters: { model: "gpt-4o" } },
          { name: "Complete", type: "openAi", parameters: { resource: "text", operation: "complete", prompt: "=Tag: {{ $json.title }}", options: { temperature: 0.3, maxTokens: 50 } } },
          { name: "SQL", type: lc("agent"), parameters: { agent: "sqlAgent", text: "How many?" } },
          { name: "Model 3", type: lc("lmChatOpenAi") },
        ],
        { Model: ai("ai_languageModel", "Old chain"), "Model 2": ai("ai_languageModel", "Default chain"), "Model 3": ai("ai_languageModel", "SQL") },
      ),
    );
    expect(byName("Old chain").config).toMatchObject({ prompt: "Summarize {{ $json.body }}" });
    expect(byName("Default chain").config).toMatchObject({ prompt: "{{ $json.input }}" });
    expect(byName("Complete").config).toMatchObject({ prompt: "Tag: {{ $json.title }}", temperature: 0.3, maxTokens: 50 });
    expect(byName("SQL")).toMatchObject({ type: "core.placeholder", config: { note: "its SQL agent queried a database, which our LLM node cannot" } });
    expect(byName("Model 3").type).toBe("core.placeholder");
  });

  it("reads Set values by their declared type, and aggregates merging lists", async () => {
    const { byName } = imported(
      workflow([
        {
          name: "Typed",
          type: "set",
          typeVersion: 3.4,
          parameters: { assignments: { assignments: [{ name: "n", type: "number", value: "5" }, { name: "on", type: "boolean", value: "true" }, { name: "tags", type: "array", value: '["a", "b"]' }, { name: "o", type: "object", value: '={ "id": {{ $json.id }} }' }] } },
        },
        { name: "Fields3", type: "set", typeVersion: 3.2, parameters: { fields: { values: [{ name: "cfg", type: "objectValue", objectValue: '{ "x": 1 }' }] } } },
        { name: "Agg", type: "aggregate", parameters: { fieldsToAggregate: { fieldToAggregate: [{ fieldToAggregate: "tags" }] }, options: { mergeLists: true } } },
      ]),
    );
    const { items } = await runNode(setNode, { input: [{ json: { id: 7 } }], config: byName("Typed").config });
    expect(items[0]!.json).toEqual({ n: 5, on: true, tags: ["a", "b"], o: { id: 7 } });
    expect(byName("Fields3").config).toMatchObject({ fields: [{ name: "cfg", value: { x: 1 } }] });
    const converted = imported(
      workflow([
        {
          name: "Convert",
          type: "set",
          typeVersion: 3.3,
          parameters: { assignments: { assignments: [{ name: "count", type: "number", value: "={{ $json.count }}" }, { name: "tags", type: "array", value: "={{ $json.tags }}" }, { name: "id", type: "string", value: "={{ $json.id }}" }] }, options: { ignoreConversionErrors: true } },
        },
      ]),
    ).byName("Convert").config;
    const { items: conversions } = await runNode(setNode, { input: [{ json: { count: "3", tags: '["a"]', id: 7 } }], config: converted });
    expect(conversions[0]!.json).toMatchObject({ count: 3, tags: ["a"], id: "7" });
    expect(converted.keepUnconverted).toBe(true);
    const aggregated = await runNode(codeNode, { input: [{ json: { tags: ["a"] } }, { json: { tags: ["b", "c"] } }, { json: {} }], config: byName("Agg").config });
    expect(aggregated.items.map((i) => i.json)).toEqual([{ tags: ["a", "b", "c"] }]);
  });
});

describe("n8n import: merge", () => {
  it("reads version 1's merge-by-position mode under a later version as what it names", () => {
    const { byName } = imported(workflow([{ name: "Zip", type: "merge", typeVersion: 2.1, parameters: { mode: "mergeByPosition", options: {} } }]));
    expect(byName("Zip").config).toEqual({ mode: "byPosition", unpaired: "drop" });
  });

  it("maps more than two inputs, choosing a branch, every pair, joins on fields and by position, by version", async () => {
    const { document, byName } = imported(
      workflow(
        [
          { name: "A", type: "noOp" },
          { name: "B", type: "noOp" },
          { name: "C", type: "noOp" },
          { name: "Three", type: "merge", typeVersion: 3.1, parameters: { numberInputs: 3 } },
          { name: "Choose", type: "merge", typeVersion: 3, parameters: { mode: "chooseBranch", useDataOfInput: 2 } },
          { name: "Pairs", type: "merge", typeVersion: 3, parameters: { mode: "combine", combineBy: "combineAll" } },
          { name: "New only", type: "merge", typeVersion: 3, parameters: { mode: "combine", joinMode: "keepNonMatches", outputDataFrom: "input2", fieldsToMatchString: "title, budget" } },
          { name: "Enrich", type: "merge", typeVersion: 2.1, parameters: { mode: "combine", joinMode: "enrichInput1", mergeByFields: { values: [{ field1: "id", field2: "event_id" }] } } },
          { name: "By key v1", type: "merge", parameters: { mode: "mergeByKey", propertyName1: "id", propertyName2: "id" } },
          { name: "By index v1", type: "merge", parameters: { mode: "mergeByIndex", join: "outer" } },
          { name: "Position v3", type: "merge", typeVersion: 3, parameters: { mode: "combine", combineBy: "combineByPosition", options: { includeUnpaired: true } } },
        ],
        { A: main([{ node: "Three" }]), B: main([{ node: "Three", index: 1 }]), C: main([{ node: "Three", index: 2 }]) },
      ),
    );
    expect(byName("Three")).toMatchObject({ config: { mode: "append", inputs: 3 } });
    expect(document.edges.map((e) => e.targetPort)).toEqual(["a", "b", "c"]);
    expect(byName("Choose").config).toEqual({ mode: "choose", use: 2 });
    expect(byName("Pairs").config).toEqual({ mode: "everyPair" });
    expect(byName("New only").config).toEqual({ mode: "byKey", key: "title, budget", join: "unmatchedB" });
    expect(byName("Enrich").config).toEqual({ mode: "byKey", key: "id", keyB: "event_id", join: "left" });
    expect(byName("By key v1").config).toEqual({ mode: "byKey", key: "id", join: "left" });
    expect(byName("By index v1").config).toEqual({ mode: "byPosition", unpaired: "keep" });
    expect(byName("Position v3").config).toEqual({ mode: "byPosition", unpaired: "keep" });
    const { items } = await runNode(mergeNode, {
      inputs: { a: [{ json: { id: 1, name: "Launch" } }, { json: { id: 2, name: "Retro" } }], b: [{ json: { event_id: 1, room: "A" } }] },
      config: byName("Enrich").config,
    });
    expect(items.map((i) => i.json)).toEqual([{ id: 1, name: "Launch", event_id: 1, room: "A" }, { id: 2, name: "Retro" }]);
  });
});

describe("n8n import: HTTP request bodies and authentication", () => {
  it("splits a query or headers given as a JSON template into parameters, each string with its own expressions", () => {
    const jsonQuery = '={\n  "fields": "id,caption",\n  "limit": 25,\n  "since": "{{ $json.from }}",\n  "q": "in:{{ $json.box }} is:{{ $json.state }}"\n}';
    const { byName, report } = imported(
      workflow([
        { name: "Query", type: "httpRequest", typeVersion: 4.2, parameters: { url: "https://api.example.com/media", sendQuery: true, specifyQuery: "json", jsonQuery, sendHeaders: true, specifyHeaders: "json", jsonHeaders: '={ "X-Trace": "{{ $json.trace }}" }' } },
        { name: "Built", type: "httpRequest", typeVersion: 4.2, parameters: { url: "https://api.example.com", sendQuery: true, specifyQuery: "json", jsonQuery: "={{ $json.query }}" } },
      ]),
    );
    expect(byName("Query").config).toMatchObject({
      query: [
        { name: "fields", value: "id,caption" },
        { name: "limit", value: "25" },
        { name: "since", value: "{{ $json.from }}" },
        { name: "q", value: expect.stringMatching(/^in:\{\{ .*box.* \}\} is:\{\{ .*state.* \}\}$/) },
      ],
      headers: [{ name: "X-Trace", value: "{{ $json.trace }}" }],
    });
    expect(byName("Built").type).toBe("core.placeholder");
    expect(report.placeholders.map((p) => p.name)).toEqual(["Built"]);
  });

  it("maps multipart forms with files, a file body, v1 form and binary bodies, and says what to put in a header credential", () => {
    const { byName, report } = imported(
      workflow([
        {
          name: "Upload",
          type: "httpRequest",
          typeVersion: 4.2,
          parameters: {
            method: "POST",
            url: "https://pdf.example.com/convert",
            sendBody: true,
            contentType: "multipart-form-data",
            bodyParameters: { parameters: [{ name: "=file", parameterType: "formBinaryData", inputDataFieldName: "=data" }, { name: "dpi", value: "300" }] },
            authentication: "genericCredentialType",
            genericAuthType: "httpBearerAuth",
          },
          credentials: { httpBearerAuth: { name: "PDF token" } },
        },
        { name: "Media", type: "httpRequest", typeVersion: 4.2, parameters: { method: "POST", url: "https://wp.example.com/media", sendBody: true, contentType: "binaryData", inputDataFieldName: "cover", authentication: "predefinedCredentialType", nodeCredentialType: "wordpressApi" } },
        { name: "Form v1", type: "httpRequest", parameters: { url: "https://example.com/form", requestMethod: "POST", options: { bodyContentType: "form-urlencoded" }, bodyParametersUi: { parameter: [{ name: "q", value: "={{ $json.q }}" }] } } },
        { name: "File v1", type: "httpRequest", parameters: { url: "https://example.com/up", requestMethod: "=POST", sendBinaryData: true, binaryPropertyName: "photo", authentication: "basicAuth" } },
        { name: "Parts v1", type: "httpRequest", typeVersion: 2, parameters: { url: "https://example.com/up", requestMethod: "POST", sendBinaryData: true, binaryPropertyName: "doc:data", options: { bodyContentType: "multipart-form-data" } } },
        {
          name: "Keyed",
          type: "httpRequest",
          typeVersion: 4.2,
          parameters: { url: "https://example.com", sendHeaders: true, headerParameters: { parameters: [{ name: "" }, { name: "=Accept", value: "application/json" }] }, authentication: "genericCredentialType", genericAuthType: "httpQueryAuth" },
        },
        { name: "Full", type: "httpRequest", typeVersion: 4.2, parameters: { url: "https://example.com", options: { response: { response: { fullResponse: true } } } } },
      ]),
    );
    // n8n's items are the body; with "full response", the response.
    expect(byName("Keyed").config).toMatchObject({ output: "body", headers: [{ name: "Accept", value: "application/json" }] });
    expect(byName("Form v1").config.output).toBe("body");
    expect(byName("Full").config.output).toBeUndefined();
    expect(byName("Upload")).toMatchObject({ config: { bodyMode: "multipart", parts: [{ name: "dpi", value: "300" }, { name: "file", file: "data" }] }, credentials: { "http.header-auth": { name: "PDF token" } } });
    expect(byName("Media").config).toMatchObject({ bodyMode: "file", file: "cover" });
    expect(byName("Form v1").config).toMatchObject({ method: "POST", bodyMode: "form", body: { q: "{{ $json.q }}" } });
    expect(byName("File v1")).toMatchObject({ config: { method: "POST", bodyMode: "file", file: "photo" }, credentials: { "http.header-auth": {} } });
    expect(byName("Parts v1").config).toMatchObject({ bodyMode: "multipart", parts: [{ name: "doc", file: "data" }] });
    const notes = report.notes.join("\n");
    expect(notes).toContain('"Upload": its httpBearerAuth credential becomes a header credential: set its header to Authorization with the value "Bearer <token>"');
    expect(notes).toContain('"Media": its wordpressApi authentication has no Streamware credential yet');
    expect(notes).toContain('"Keyed": its key was sent as a query parameter by an n8n credential');
  });
});

describe("n8n import: conditions", () => {
  const route = async (config: Record<string, unknown>, input: Record<string, unknown>[]) => {
    const { output } = await runNode(ifNode, { input: input.map((json) => ({ json })), config });
    return { true: (output.true ?? []).map((i) => i.json.id), false: (output.false ?? []).map((i) => i.json.id) };
  };

  it("tests regex, exists, length, dates, ignoring case and not-starting-with as n8n did", async () => {
    const condition = (type: string, operation: string, rightValue?: unknown, leftValue = "={{ $json.v }}") => ({ leftValue, rightValue, operator: { type, operation } });
    const cases: [Record<string, unknown>, Record<string, unknown>[], number[]][] = [
      [condition("string", "regex", "/^ord-\\d+$/i"), [{ id: 1, v: "ORD-12" }, { id: 2, v: "ord-x" }], [1]],
      [condition("string", "notRegex", "^a"), [{ id: 1, v: "abc" }, { id: 2, v: "bca" }], [2]],
      [condition("string", "regex", "/[a-z]+@[a-z]+\\.com/gi"), [{ id: 1, v: "Mail ADA@EXAMPLE.com" }, { id: 2, v: "none" }], [1]],
      [condition("string", "exists"), [{ id: 1, v: "" }, { id: 2 }, { id: 3, v: null }], [1]],
      [condition("string", "notExists"), [{ id: 1, v: "" }, { id: 2 }], [2]],
      [condition("array", "lengthGt", 1), [{ id: 1, v: [1, 2] }, { id: 2, v: [1] }], [1]],
      [condition("array", "contains", "b"), [{ id: 1, v: ["a", "b"] }, { id: 2, v: ["c"] }], [1]],
      [condition("dateTime", "after", "2024-06-01T00:00:00Z"), [{ id: 1, v: "2024-07-01T00:00:00Z" }, { id: 2, v: "2024-01-01T00:00:00Z" }], [1]],
      [condition("string", "notStartsWith", "RT @"), [{ id: 1, v: "RT @ada hi" }, { id: 2, v: "hello" }], [2]],
      [condition("string", "notEndsWith", ".pdf"), [{ id: 1, v: "a.pdf" }, { id: 2, v: "a.png" }], [2]],
    ];
    for (const [c, input, passing] of cases) {
      const { byName } = imported(workflow([{ name: "If", type: "if", typeVersion: 2.2, parameters: { conditions: { combinator: "and", conditions: [c] } } }]));
      expect((await route(byName("If").config, input)).true, JSON.stringify(c)).toEqual(passing);
    }
    const untouched = imported(workflow([{ name: "If", type: "if", typeVersion: 2.2 }])).byName("If").config;
    expect((await route(untouched, [{ id: 1 }, { id: 2 }])).true).toEqual([1, 2]);
    const { byName } = imported(
      workflow([{ name: "Case", type: "filter", typeVersion: 2.2, parameters: { conditions: { options: { caseSensitive: false }, conditions: [condition("string", "equals", "PAID")] } } }]),
    );
    expect((await route(byName("Case").config, [{ id: 1, v: "paid" }, { id: 2, v: "open" }])).true).toEqual([1]);
  });

  it("maps version 1 date and not-ends-with conditions, and keeps an untranslatable date beside the nearest test, flagged", async () => {
    const { byName, report } = imported(
      workflow([
        { name: "V1", type: "if", parameters: { conditions: { dateTime: [{ value1: "={{ $json.at }}", value2: "2024-06-01T00:00:00Z", operation: "after" }], string: [{ value1: "={{ $json.f }}", value2: ".tmp", operation: "notEndsWith" }] } } },
        { name: "Old", type: "if", parameters: { conditions: { dateTime: [{ value1: "={{ $json.at }}", value2: "={{ new Date() }}", operation: "before" }] } } },
      ]),
    );
    expect((await route(byName("V1").config, [{ id: 1, at: "2024-08-01T00:00:00Z", f: "a.txt" }, { id: 2, at: "2024-08-01T00:00:00Z", f: "a.tmp" }])).true).toEqual([1]);
    expect(byName("Old").config).toMatchObject({ conditions: [{ left: "{{ $json.at }}", operator: "lessThan", right: "={{ new Date() }}" }] });
    expect(report.expressions.flagged).toEqual([expect.objectContaining({ node: "Old", text: "={{ new Date() }}" })]);
    expect(report.notes.join("\n")).toContain('keeps n8n\'s expression and tests "lessThan" for now');
  });

  it("maps switch rules of several conditions, expression mode and version 1 operations written as expressions", async () => {
    const { byName } = imported(
      workflow([
        {
          name: "Rules",
          type: "switch",
          typeVersion: 3.2,
          parameters: {
            rules: {
              values: [
                { conditions: { combinator: "and", conditions: [{ leftValue: "={{ $json.n }}", rightValue: 5, operator: { type: "number", operation: "gt" } }, { leftValue: "={{ $json.tag }}", rightValue: "vip", operator: { type: "string", operation: "equals" } }] } },
                { conditions: { conditions: [{ leftValue: "={{ $json.n }}", rightValue: 0, operator: { type: "number", operation: "lte" } }] } },
              ],
            },
            options: { fallbackOutput: "extra" },
          },
        },
        { name: "Indexed", type: "switch", typeVersion: 3, parameters: { mode: "expression", numberOutputs: 2, output: "={{ $json.n }}" } },
        {
          name: "Into a rule",
          type: "switch",
          typeVersion: 3,
          parameters: {
            rules: { values: ["a", "b"].map((v) => ({ conditions: { conditions: [{ leftValue: "={{ $json.s }}", rightValue: v, operator: { type: "string", operation: "equals" } }] } })) },
            options: { fallbackOutput: 0 },
          },
        },
        { name: "Old", type: "switch", parameters: { dataType: "string", value1: "={{ $json.s }}", rules: { rules: [{ value2: "done" }, { value2: "open", operation: "=equal", output: 1 }] } } },
      ]),
    );
    const outputs = async (name: string, json: Record<string, unknown>) => Object.entries((await runNode(switchNode, { input: [{ json }], config: byName(name).config })).output).filter(([, items]) => items.length > 0).map(([port]) => port);
    expect(await outputs("Rules", { n: 9, tag: "vip" })).toEqual(["rule-1"]);
    expect(await outputs("Rules", { n: 9, tag: "x" })).toEqual(["fallback"]);
    expect(await outputs("Rules", { n: -1 })).toEqual(["rule-2"]);
    expect(await outputs("Indexed", { n: 1 })).toEqual(["rule-2"]);
    expect(await outputs("Old", { s: "open" })).toEqual(["rule-2"]);
    expect(await outputs("Into a rule", { s: "b" })).toEqual(["rule-2"]);
    expect(await outputs("Into a rule", { s: "zzz" })).toEqual(["rule-1"]);
    expect(await outputs("Into a rule", { s: "a" })).toEqual(["rule-1"]);
  });
});

describe("n8n import: data, answers and messages", () => {
  it("splits several fields together, as n8n zips them", async () => {
    const { byName } = imported(workflow([{ name: "Split", type: "splitOut", parameters: { fieldToSplitOut: "name, uri", include: "selectedOtherFields", fieldsToInclude: "owner" } }]));
    const { items } = await runNode(codeNode, { input: [{ json: { name: ["a", "b"], uri: ["u1", "u2"], owner: "ada", other: 1 } }], config: byName("Split").config });
    expect(items.map((i) => i.json)).toEqual([{ owner: "ada", name: "a", uri: "u1" }, { owner: "ada", name: "b", uri: "u2" }]);
  });

  it("polls a feed as often as n8n did", () => {
    const { byName } = imported(
      workflow([
        { name: "Hourly", type: "rssFeedReadTrigger", parameters: { feedUrl: "https://example.com/rss", pollTimes: { item: [{ mode: "everyX", value: 2, unit: "hours" }] } } },
        { name: "Weekly", type: "rssFeedReadTrigger", parameters: { feedUrl: "https://example.com/rss", pollTimes: { item: [{ mode: "everyWeek" }] } } },
        { name: "No URL", type: "rssFeedReadTrigger", parameters: {} },
      ]),
    );
    expect(byName("Hourly").config).toEqual({ url: "https://example.com/rss", intervalSeconds: 7200 });
    expect(byName("Weekly").config).toEqual({ url: "https://example.com/rss" });
    expect(byName("No URL").config).toMatchObject({ note: "it names no feed URL" });
  });

  it("answers a webhook with every item, a redirect or a file", () => {
    const { byName } = imported(
      workflow([
        { name: "All", type: "respondToWebhook", typeVersion: 1.1, parameters: { respondWith: "allIncomingItems" } },
        { name: "Go", type: "respondToWebhook", typeVersion: 1.1, parameters: { respondWith: "redirect", redirectURL: "=https://example.com/{{ $json.id }}" } },
        { name: "Picture", type: "respondToWebhook", typeVersion: 1.1, parameters: { respondWith: "binary", responseDataSource: "set", inputFieldName: "image", options: { responseHeaders: { entries: [{ name: "Cache-Control", value: "no-store" }] } } } },
        { name: "First file", type: "respondToWebhook", parameters: { respondWith: "binary" } },
      ]),
    );
    expect(byName("Picture").config).toEqual({ status: 200, headers: [{ name: "Cache-Control", value: "no-store" }], file: "image" });
    expect(byName("First file").config).toMatchObject({ file: "data" });
    expect(byName("All").config).toEqual({ status: 200, headers: [], allItems: true });
    expect(byName("Go").config).toEqual({ status: 307, headers: [{ name: "Location", value: "https://example.com/{{ $json.id }}" }], body: " " });
  });

  it("sends messages as written; a messaging node doing something else stays a placeholder that says so", () => {
    const { byName } = imported(
      workflow([
        { name: "Tell", type: "telegram", typeVersion: 1.2, parameters: { chatId: "42", text: "=Done {{ $json.id }}", additionalFields: { parse_mode: "HTML" } } },
        { name: "Typing", type: "telegram", typeVersion: 1.2, parameters: { operation: "sendChatAction", chatId: "42" } },
        { name: "Who", type: "slack", typeVersion: 2.1, parameters: { resource: "user", operation: "info" } },
      ]),
    );
    expect(byName("Tell").config).toMatchObject({ message: "Done {{ $json.id }}", plain: true, windowSeconds: 0, channels: [{ kind: "telegram", chatId: "42" }] });
    expect(byName("Typing").config).toMatchObject({ note: "its sendChatAction operation is not sending a text message, which is what our alert channels do" });
    expect(byName("Who").config).toMatchObject({ note: "its user info operation is not sending a text message, which is what our alert channels do" });
  });

  it("counts as listed only what the importer means to map", () => {
    expect(isListedN8nNode({ type: base("telegram"), parameters: {} }, [])).toBe(true);
    expect(isListedN8nNode({ type: base("telegram"), parameters: { resource: "file" } }, [])).toBe(false);
    expect(isListedN8nNode({ type: lc("openAi"), parameters: { resource: "audio", operation: "transcribe" } }, [])).toBe(false);
    expect(isListedN8nNode({ type: lc("lmChatOpenAi") }, [lc("agent")])).toBe(true);
    expect(isListedN8nNode({ type: lc("lmChatOpenAi") }, [lc("informationExtractor")])).toBe(false);
    expect(isListedN8nNode({ type: base("googleSheets") }, [])).toBe(false);
    expect(isListedN8nNode({ type: base("code"), parameters: { jsCode: "return items;" } }, [])).toBe(true);
    expect(isListedN8nNode({ type: base("code"), parameters: { language: "pythonNative", pythonCode: "return _items" } }, [])).toBe(false);
  });
});
