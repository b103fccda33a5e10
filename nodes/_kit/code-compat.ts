// The compatibility modes of the code node: code written for n8n's Code node or Node-RED's function node runs as
// written. This page says what each mode gives the code; the sandbox's guest (runner/sandbox-guest.ts) builds
// those values and the importers read what is missing from here, so the three never disagree.

export const CODE_COMPAT_MODES = ["streamware", "n8n", "node-red"] as const;
export type CodeCompatMode = (typeof CODE_COMPAT_MODES)[number];
/** The modes for another tool's code. */
export type ForeignMode = Exclude<CodeCompatMode, "streamware">;

/** The names imported code sees, by mode; Streamware's own code sees `items`, `$input`, `$trigger` and `$node`. */
export const COMPAT_NAMES = {
  n8n: ["items", "$input", "$json", "$itemIndex", "$", "$node", "$items", "$trigger", "$execution", "$workflow", "$getWorkflowStaticData"],
  "node-red": ["msg", "node", "flow", "global", "context", "env", "RED"],
} as const satisfies Record<ForeignMode, readonly string[]>;

/** The most outputs a Node-RED function may have here. */
export const MAX_NODE_RED_OUTPUTS = 10;

/** Output port names: "out", then "out-2", "out-3", … for a Node-RED function's further outputs. */
export function outputPorts(count: number): string[] {
  return Array.from({ length: Math.max(1, count) }, (_, i) => (i === 0 ? "out" : `out-${i + 1}`));
}

/**
 * Flow state the code reads and writes as plain objects, by store name, each kept under its own key of the flow's
 * state: Node-RED's `flow`, `global` (per flow here: a workspace has no state shared by its flows) and node
 * `context`; n8n's `$getWorkflowStaticData("global" | "node")`. `test` says whether code may touch the store, so
 * code that never does costs no read.
 */
export const COMPAT_STORES: Record<ForeignMode, Record<string, CompatStore>> = {
  n8n: {
    global: { key: () => "n8n:static:global", label: "workflow static data", test: /\$getWorkflowStaticData\b/ },
    node: { key: (nodeId) => `n8n:static:node:${nodeId}`, label: "node static data", test: /\$getWorkflowStaticData\b/ },
  },
  "node-red": {
    flow: { key: () => "node-red:flow", label: "flow context", test: /\bflow\b/ },
    global: { key: () => "node-red:global", label: "global context", test: /\bglobal\b/ },
    node: { key: (nodeId) => `node-red:node:${nodeId}`, label: "node context", test: /\bcontext\b/ },
  },
};

interface CompatStore {
  /** The flow state key the store is kept under. */
  key: (nodeId: string) => string;
  /** What the source tool calls it, for messages. */
  label: string;
  test: RegExp;
}

/** Largest JSON a store may grow to; the code fails saying so rather than write more. */
export const MAX_STORE_BYTES = 1024 * 1024;

const REQUIRE = { test: /\brequire\s*\(/, reason: "it loads modules with require(), which the sandbox does not allow" };
// Both tools ran code in sloppy mode, where a loop may assign a variable it never declared; ours is strict.
const UNDECLARED_LOOP = {
  test: /\bfor\s*\(\s*[A-Za-z_$][\w$]*\s+(of|in)\b/,
  reason: "it loops with a variable it never declares (for (item of …)), which strict code refuses; add const",
};

/** What code written for n8n or Node-RED may use that its mode here does not give, each as a reason in words. */
const GAPS: Record<ForeignMode, { test: RegExp; reason: string }[]> = {
  n8n: [
    REQUIRE,
    UNDECLARED_LOOP,
    { test: /\bthis\s*\.|\bhelpers\s*\./, reason: "it calls n8n's helpers (this.…, helpers.…), which the sandbox does not have" },
    { test: /\.binary\b.*\.data\b|\$binary\b/, reason: "it reads binary data, which is a stored file reference here, not base64" },
    { test: /\b(DateTime|Duration|Interval)\./, reason: "it uses Luxon (DateTime), which the sandbox does not have; use Date" },
  ],
  "node-red": [
    REQUIRE,
    UNDECLARED_LOOP,
    { test: /\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval)\b/, reason: "it uses timers, which the sandbox does not have" },
    { test: /\bnode\.on\s*\(/, reason: "it listens for node events (node.on), which a code node does not have" },
    { test: /\bBuffer\b/, reason: "it uses Node's Buffer, which the sandbox does not have" },
    { test: /\bRED\.(?!util\.cloneMessage\b)/, reason: "it uses the RED API beyond RED.util.cloneMessage" },
    { test: /\benv\.get\b/, reason: "it reads environment variables (env.get), which are empty here" },
    { test: /\bprocess\./, reason: "it reads process, which the sandbox does not have" },
  ],
};

/** Every n8n `$name` the code uses that the n8n mode does not give (`$now`, `$jmespath`, …). */
function missingDollarNames(code: string): string[] {
  const given = new Set<string>(COMPAT_NAMES.n8n);
  const found = new Set<string>();
  for (const match of code.matchAll(/(?<![\w$.])\$[A-Za-z_]\w*/g)) if (!given.has(match[0])) found.add(match[0]);
  return [...found];
}

/** Why code written for this mode may not run here as it did, in words; empty when it uses only what the mode gives. */
export function compatGaps(mode: ForeignMode, code: string): string[] {
  const gaps = GAPS[mode].filter((gap) => gap.test.test(code)).map((gap) => gap.reason);
  if (mode === "n8n") {
    const missing = missingDollarNames(code);
    if (missing.length > 0) gaps.push(`it uses ${missing.map((name) => `\`${name}\``).join(", ")}, which the n8n mode of the code node does not give`);
  }
  return gaps;
}
