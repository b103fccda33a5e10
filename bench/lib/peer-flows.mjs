// What each peer is given to run: its settings or environment, and the flows that do what our benchmark
// scenarios do (a webhook that sets fields and answers, and one that sums in code).
export function nodeRedSettings({ port, userDir }) {
  const settings = {
    uiHost: "127.0.0.1",
    uiPort: port,
    userDir,
    flowFile: "flows.json",
    // Flows hold no credentials; without a secret Node-RED would generate one and write it to .config files.
    credentialSecret: false,
    logging: { console: { level: "warn", metrics: false, audit: false } },
    // This machine reaches no outside network: skip the update check and usage reporting.
    diagnostics: { enabled: false, ui: false },
    telemetry: { enabled: false },
    editorTheme: { projects: { enabled: false } },
  };
  return `module.exports = ${JSON.stringify(settings, null, 2)};\n`;
}

export function nodeRedFlows() {
  const tab = "bench0000000tab0";
  return [
    { id: tab, type: "tab", label: "bench", disabled: false, info: "" },
    httpIn({ id: "bench0000setin00", z: tab, url: "/nodered/webhook-set", next: "bench000setchange" }),
    {
      id: "bench000setchange",
      type: "change",
      z: tab,
      name: "build answer",
      // Plain property rules, not JSONata: the same work as a "set fields" node in the other engines.
      rules: [
        { t: "set", p: "name", pt: "msg", to: "payload.name", tot: "msg" },
        { t: "set", p: "payload", pt: "msg", to: '{"ok":true}', tot: "json" },
        { t: "move", p: "name", pt: "msg", to: "payload.name", tot: "msg" },
      ],
      wires: [["bench0000setout0"]],
    },
    httpResponse({ id: "bench0000setout0", z: tab }),
    httpIn({ id: "bench000codein00", z: tab, url: "/nodered/webhook-code", next: "bench000codefunc" }),
    {
      id: "bench000codefunc",
      type: "function",
      z: tab,
      name: "sum numbers",
      func: "msg.payload = { sum: msg.payload.numbers.reduce((total, n) => total + n, 0) };\nreturn msg;",
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: "",
      finalize: "",
      libs: [],
      wires: [["bench000codeout0"]],
    },
    httpResponse({ id: "bench000codeout0", z: tab }),
  ];
}

const httpIn = ({ id, z, url, next }) => ({
  id,
  type: "http in",
  z,
  name: "",
  url,
  method: "post",
  upload: false,
  swaggerDoc: "",
  wires: [[next]],
});

const httpResponse = ({ id, z }) => ({ id, type: "http response", z, name: "", statusCode: "", headers: {}, wires: [] });

export function n8nEnvironment({ userFolder, port, brokerPort }) {
  return {
    N8N_USER_FOLDER: userFolder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: "127.0.0.1",
    N8N_HOST: "127.0.0.1",
    N8N_PROTOCOL: "http",
    N8N_ENDPOINT_WEBHOOK: "n8n",
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: "127.0.0.1",
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: "false",
    // No outside network here: no telemetry, version checks, templates or community-node lookups.
    N8N_DIAGNOSTICS_ENABLED: "false",
    N8N_VERSION_NOTIFICATIONS_ENABLED: "false",
    N8N_TEMPLATES_ENABLED: "false",
    N8N_PERSONALIZATION_ENABLED: "false",
    N8N_COMMUNITY_PACKAGES_ENABLED: "false",
    N8N_HIRING_BANNER_ENABLED: "false",
    // Its refresh task fetches a list of MCP servers from n8n's site at start-up.
    N8N_DISABLED_MODULES: "mcp-registry",
    N8N_LOG_LEVEL: "warn",
    DB_TYPE: "sqlite",
  };
}

export function n8nWorkflows() {
  const webhook = ({ id, path: webhookPath }) => ({
    id,
    name: "Webhook",
    type: "n8n-nodes-base.webhook",
    typeVersion: 2,
    position: [0, 0],
    webhookId: id,
    parameters: { httpMethod: "POST", path: webhookPath, responseMode: "responseNode", options: {} },
  });
  const respond = (id) => ({
    id,
    name: "Respond to Webhook",
    type: "n8n-nodes-base.respondToWebhook",
    typeVersion: 1.1,
    position: [440, 0],
    parameters: { respondWith: "firstIncomingItem", options: {} },
  });
  const chain = (...names) =>
    Object.fromEntries(
      names.slice(0, -1).map((name, i) => [name, { main: [[{ node: names[i + 1], type: "main", index: 0 }]] }]),
    );
  // Webhook → `step` → Respond to Webhook; node ids are `idPrefix` followed by 1, 2 and 3.
  const workflow = ({ id, webhookPath, idPrefix, step }) => ({
    id,
    name: `bench ${webhookPath}`,
    active: false,
    settings: { executionOrder: "v1" },
    nodes: [
      webhook({ id: `${idPrefix}1`, path: webhookPath }),
      { id: `${idPrefix}2`, position: [220, 0], ...step },
      respond(`${idPrefix}3`),
    ],
    connections: chain("Webhook", step.name, "Respond to Webhook"),
  });
  return [
    workflow({
      id: "benchWebhookSet1",
      webhookPath: "webhook-set",
      idPrefix: "5e7a1c2e-0000-4000-8000-00000000000",
      step: {
        name: "Set",
        type: "n8n-nodes-base.set",
        typeVersion: 3.4,
        parameters: {
          mode: "manual",
          assignments: {
            assignments: [
              { id: "a1", name: "ok", type: "boolean", value: true },
              { id: "a2", name: "name", type: "string", value: "={{ $json.body.name }}" },
            ],
          },
          options: {},
        },
      },
    }),
    workflow({
      id: "benchWebhookCod1",
      webhookPath: "webhook-code",
      idPrefix: "5e7a1c2e-0000-4000-8000-00000000001",
      step: {
        name: "Code",
        type: "n8n-nodes-base.code",
        typeVersion: 2,
        parameters: {
          jsCode:
            "const { numbers } = $input.first().json.body;\n" +
            "return [{ json: { sum: numbers.reduce((total, n) => total + n, 0) } }];",
        },
      },
    }),
  ];
}
