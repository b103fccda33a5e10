// What bounding `{{ }}` expressions costs per item, beside the unbounded baseline in the same run: JSONata
// evaluated directly on the main thread, as every expression was before the limits. Three kinds of expression,
// each evaluated where the engine now evaluates it: a field path (read directly), a bounded shape (JSONata here,
// under a budget of steps: the webhook benchmark's Set node is one), and one that needs the isolate (a lambda).
//   node --no-node-snapshot --import tsx bench/expressions.ts [--items=20000]
// Prints `BENCH expressions.<kind>.<where> <value> us/item` lines.
import jsonata from "jsonata";
import { ExpressionSandbox } from "../runner/expression-sandbox";
import { resolveExpressions, type ExpressionScope } from "../nodes/_core/expressions";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2) as [string, string]));
const items = Number(args.items ?? 20_000);
const report = (name: string, value: string, unit: string) => process.stdout.write(`BENCH ${name} ${value} ${unit}\n`);

const kinds = {
  path: "body.name",
  bounded: "'Hello ' & body.name",
  isolate: "$map(body.tags, function($t) { $uppercase($t) })",
};

const scopeFor = (i: number): ExpressionScope => ({
  workspaceId: "bench",
  json: { body: { name: `user-${i}`, tags: ["a", "b", "c"] } },
  trigger: {},
  node: {},
  itemIndex: i,
  runId: "run",
  flowId: "flow",
});

async function perItem(work: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(1000, items); i++) await work(i);
  const started = performance.now();
  for (let i = 0; i < items; i++) await work(i);
  return ((performance.now() - started) * 1000) / items;
}

async function main(): Promise<void> {
  const sandbox = new ExpressionSandbox();
  try {
    for (const [kind, expression] of Object.entries(kinds)) {
      const unbounded = jsonata(expression);
      const baseline = await perItem((i) => {
        const scope = scopeFor(i);
        return unbounded.evaluate(scope.json, { json: scope.json, trigger: scope.trigger, node: scope.node });
      });
      report(`expressions.${kind}.unbounded`, baseline.toFixed(2), "us/item");
      const bounded = await perItem((i) => resolveExpressions(`{{ ${expression} }}`, { scope: scopeFor(i), nodeName: "Bench", evaluator: sandbox }));
      report(`expressions.${kind}.bounded`, bounded.toFixed(2), "us/item");
      report(`expressions.${kind}.cost`, (bounded - baseline).toFixed(2), "us/item");
    }
  } finally {
    sandbox.dispose();
  }
}

void main();
