// What one run of the code node costs in process, without HTTP or the database: the webhook benchmark's code on
// the webhook benchmark's item, through CodeSandbox.run one caller at a time and with 20 callers at once, and the
// whole node (config, sandbox, output checks) through the node kit's runNode beside a Set node run the same way.
//   node --no-node-snapshot --import tsx bench/code-node.ts [--runs=20000] [--rounds=3] [--only=<part>] [--baseline=<sandbox.ts>]
// With --baseline, another build of runner/sandbox.ts (such as one checked out from an older commit) is measured in
// the same process, round by round in turn with this one, so a busy machine weighs on both alike.
// Prints `BENCH code.<what> <value> <unit>` lines; with several rounds each figure is the median.
import { codeNode } from "../nodes/code/code.node";
import { setNode } from "../nodes/set/set.node";
import type { NodeDefinition } from "../nodes/_kit/define-node";
import type { Item } from "../nodes/_kit/items";
import { MemoryKeyValueStore, runNode } from "../runner/node-testing";
import { CodeSandbox, disposeCodeSandbox, type SandboxRunArgs } from "../runner/sandbox";
import { LocalBinaryStore } from "../runner/binary-store";
import os from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2) as [string, string]));
const runs = Number(args.runs ?? 20_000);
const rounds = Number(args.rounds ?? 3);
const callers = 20;
// Measures one part alone (sequential, concurrent, loaded or node), such as under --cpu-prof.
const only = args.only;
const wanted = (part: string) => only === undefined || only === part;
const report = (name: string, value: string, unit: string) => process.stdout.write(`BENCH ${name} ${value} ${unit}\n`);

const CODE = "const numbers = items[0].json.body.numbers; return [{ sum: numbers.reduce((a, b) => a + b, 0) }];";
// What the webhook trigger makes of the load generator's request.
const item: Item = {
  json: {
    method: "POST",
    path: "/webhook/bench/webhook-code",
    headers: { host: "127.0.0.1:3000", connection: "keep-alive", "content-type": "application/json", "content-length": "311" },
    query: {},
    body: { name: "bench", numbers: Array.from({ length: 100 }, (_, i) => i + 1) },
  },
};
const EXPECTED = 5050;
const runArgs: SandboxRunArgs = {
  code: CODE,
  items: [item],
  trigger: item.json,
  nodes: { hook: { json: item.json, items: [item.json] } },
  poolKey: "bench",
  signal: new AbortController().signal,
};

interface Sandbox {
  run(args: SandboxRunArgs): Promise<{ items: Record<string, unknown>[] }>;
  dispose(): void;
  /** Calls into the isolate so far, where the build counts them. */
  readonly calls?: number;
}

/** µs per run (wall clock, and CPU of every thread of the process), and runs per second, over `runs` runs, `width` at a time. */
async function measure(work: () => Promise<unknown>, width: number): Promise<{ us: number; cpuUs: number; perSecond: number }> {
  const warm = Math.min(2000, runs);
  const batch = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next++ < count) await work();
      }),
    );
  };
  await batch(warm);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await batch(runs);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { us: (ms * 1000) / runs, cpuUs: (used.user + used.system) / runs, perSecond: (runs * 1000) / ms };
}

// Other work a request does in a busy server (parsing, the engine, storage), as a spin on the event loop's thread.
const OTHER_WORK_US = 300;
function spin(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
}
/** A run as one of many requests in a busy process: other work and a turn of the event loop before it. */
function loaded(work: () => Promise<unknown>): () => Promise<unknown> {
  return async () => {
    spin(OTHER_WORK_US);
    await new Promise((resolve) => setImmediate(resolve));
    await work();
  };
}

function checked(sandbox: Sandbox): () => Promise<unknown> {
  return async () => {
    const { items } = await sandbox.run(runArgs);
    if (items[0]?.sum !== EXPECTED) throw new Error(`The code returned ${JSON.stringify(items)}`);
  };
}

const binary = new LocalBinaryStore(mkdtempSync(path.join(os.tmpdir(), "streamware-bench-code-")));
const kv = new MemoryKeyValueStore();
const nodeRun = (definition: NodeDefinition, config: Record<string, unknown>) => () =>
  runNode(definition, { config, input: [item], trigger: [item], nodeOutputs: { hook: [item] }, binary, kv });
const SET_CONFIG = { fields: [{ name: "greeting", value: "{{ 'Hello ' & body.name }}" }, { name: "ok", value: true }], keepOnlySet: true };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const builds: [string, Sandbox][] = [["", new CodeSandbox()]];
  if (args.baseline) {
    const baseline = (await import(path.resolve(args.baseline))) as { CodeSandbox: new () => Sandbox };
    builds.push(["baseline.", new baseline.CodeSandbox()]);
  }
  const figures = new Map<string, { values: number[]; unit: string }>();
  const add = (name: string, value: number, unit: string) => {
    const entry = figures.get(name) ?? { values: [], unit };
    entry.values.push(value);
    figures.set(name, entry);
  };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [prefix, sandbox] of builds) {
        if (wanted("sequential")) {
          const one = await measure(checked(sandbox), 1);
          add(`code.${prefix}sandbox.sequential`, one.us, "us/run");
          add(`code.${prefix}sandbox.sequential.cpu`, one.cpuUs, "us/run");
        }
        if (wanted("concurrent")) {
          const callsBefore = sandbox.calls;
          const many = await measure(checked(sandbox), callers);
          if (callsBefore !== undefined) add(`code.${prefix}sandbox.concurrent${callers}.calls`, (sandbox.calls! - callsBefore) / (runs + Math.min(2000, runs)), "calls/run");
          add(`code.${prefix}sandbox.concurrent${callers}`, many.us, "us/run");
          add(`code.${prefix}sandbox.concurrent${callers}.cpu`, many.cpuUs, "us/run");
          add(`code.${prefix}sandbox.concurrent${callers}.rate`, many.perSecond, "runs/s");
        }
        if (wanted("loaded")) {
          const callsBefore = sandbox.calls;
          const busy = await measure(loaded(checked(sandbox)), callers);
          if (callsBefore !== undefined) add(`code.${prefix}sandbox.loaded${callers}.calls`, (sandbox.calls! - callsBefore) / (runs + Math.min(2000, runs)), "calls/run");
          add(`code.${prefix}sandbox.loaded${callers}.cpu`, busy.cpuUs - OTHER_WORK_US, "us/run");
          add(`code.${prefix}sandbox.loaded${callers}.rate`, busy.perSecond, "runs/s");
        }
      }
      if (!wanted("node")) continue;
      // The node kit runs the code node on the process-wide sandbox, which is this build's.
      const node = await measure(nodeRun(codeNode as NodeDefinition, { code: CODE }), 1);
      add("code.node.sequential", node.us, "us/run");
      add("code.node.sequential.cpu", node.cpuUs, "us/run");
      const set = await measure(nodeRun(setNode as NodeDefinition, SET_CONFIG), 1);
      add("code.set-node.sequential", set.us, "us/run");
      add("code.set-node.sequential.cpu", set.cpuUs, "us/run");
      add("code.node.cost", node.us - set.us, "us/run");
      add("code.node.cost.cpu", node.cpuUs - set.cpuUs, "us/run");
    }
  } finally {
    for (const [, sandbox] of builds) sandbox.dispose();
    disposeCodeSandbox();
  }
  for (const [name, { values, unit }] of figures) report(name, median(values).toFixed(unit === "runs/s" ? 0 : unit === "calls/run" ? 3 : 2), unit);
}

void main();
