import { z } from "zod";
import { CODE_COMPAT_MODES, COMPAT_STORES, MAX_NODE_RED_OUTPUTS, MAX_STORE_BYTES, outputPorts, type ForeignMode } from "../_kit/code-compat";
import { defineNode, ui } from "../_kit/define-node";
import type { CodeLog, CodeRunResult, NodeContext, NodeLogger, StateChange } from "../_kit/context";
import { CodeError } from "../_kit/errors";
import type { BinaryRef, Item, PortItems } from "../_kit/items";
import { isPlainObject, toItem, toItems } from "../_kit/items";

const config = z
  .object({
    code: z
      .string()
      .min(1, "Write the code to run; it must return the output items, such as `return items;`")
      .meta({
        title: "Code",
        description:
          "The body of an async function. It gets `items`, `$input`, `$trigger` and `$node`, and returns an array of objects; code from n8n or Node-RED gets that tool's names instead (see \"Code written for\").",
        ...ui({ widget: "code", language: "javascript" }),
      }),
    compat: z
      .enum(CODE_COMPAT_MODES)
      .default("streamware")
      .meta({
        title: "Code written for",
        description:
          "Run code brought from n8n or Node-RED as it was written. n8n: `$input.all()`, `$json`, `$('Node')`, `items`, returning items. Node-RED: runs once per item with the item as `msg`; `node.warn`, `flow`/`global`/`context` (kept in the flow's state); return `msg`, `null` to drop it, or one entry per output.",
        ...ui({ advanced: true, optionLabels: { streamware: "Streamware (items in, items out)", n8n: "n8n Code node", "node-red": "Node-RED function" } }),
      }),
    perItem: z
      .boolean()
      .default(false)
      .meta({
        title: "Run once for each item (n8n)",
        description: "n8n's \"Run Once for Each Item\": the code sees one item as `$json` and `$input.item` and returns it.",
        ...ui({ advanced: true }),
      }),
    outputs: z
      .number()
      .int()
      .min(1)
      .max(MAX_NODE_RED_OUTPUTS)
      .default(1)
      .meta({
        title: "Outputs (Node-RED)",
        description: "How many outputs the function has: a returned array sends its first entry to the first output, and so on.",
        ...ui({ widget: "number", advanced: true }),
      }),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(30_000)
      .optional()
      .meta({ title: "Time limit (ms)", description: "1000 when empty", ...ui({ widget: "number", advanced: true }) }),
    memoryMb: z
      .number()
      .int()
      .min(8)
      .max(256)
      .optional()
      .meta({ title: "Memory limit (MB)", description: "64 when empty", ...ui({ widget: "number", advanced: true }) }),
  })
  .superRefine((value, issues) => {
    if (value.perItem && value.compat !== "n8n") {
      issues.addIssue({ code: "custom", path: ["perItem"], message: "runs once for each item only for n8n code; switch it off, or set \"Code written for\" to n8n" });
    }
    if (value.outputs > 1 && value.compat !== "node-red") {
      issues.addIssue({ code: "custom", path: ["outputs"], message: "only Node-RED code has several outputs; set it to 1, or set \"Code written for\" to Node-RED" });
    }
  });

type CodeConfig = z.output<typeof config>;

/** One output unless the code is a Node-RED function with several. */
export function codePorts(value: CodeConfig): string[] {
  return value.compat === "node-red" ? outputPorts(value.outputs) : ["out"];
}

export const codeNode = defineNode({
  type: "core.code",
  version: 1,
  name: "Code",
  description: "Runs JavaScript on the input items in a sandbox and outputs what it returns",
  category: "data",
  icon: "code",
  // JavaScript may well contain "{{"; it is source code, not a template.
  literalFields: ["code"],
  config,
  outputs: codePorts,
  async execute({ config, input, ctx }) {
    const mode = config.compat === "streamware" ? undefined : config.compat;
    const result = await ctx.code
      .run({
        code: config.code,
        items: input,
        trigger: ctx.trigger[0]?.json ?? {},
        nodes: ctx.nodes,
        poolKey: ctx.run.workspaceId,
        timeoutMs: config.timeoutMs,
        memoryMb: config.memoryMb,
        signal: ctx.signal,
        compat: mode && {
          mode,
          perItem: config.perItem,
          outputs: config.outputs,
          node: { id: ctx.node.id, name: ctx.node.name },
          run: { id: ctx.run.id, flowId: ctx.run.flowId, trigger: ctx.run.trigger },
          state: await readStores({ mode, code: config.code, ctx }),
        },
      })
      .catch((err: unknown) => {
        if (err instanceof CodeError) writeLogs(ctx.logger, err.logs);
        throw err;
      });
    writeLogs(ctx.logger, result.logs);
    if (mode && result.state) await writeStores({ mode, changes: result.state, ctx });
    const known = binaryById([...input, ...ctx.trigger]);
    if (mode === "node-red") return routeMessages({ result, ports: codePorts(config), known });
    return toItems(result.items).map((item, index) => keepBinary({ item, index, known }));
  },
});

/** The flow state a compat mode's code sees, read once before the run; a store the code never names stays empty. */
async function readStores(args: { mode: ForeignMode; code: string; ctx: NodeContext }): Promise<Record<string, Record<string, unknown>>> {
  const { mode, code, ctx } = args;
  const entries = Object.entries(COMPAT_STORES[mode]).map(async ([name, store]) => {
    const value = store.test.test(code) ? await ctx.kv.get(store.key(ctx.node.id)) : undefined;
    return [name, isPlainObject(value) ? value : {}] as const;
  });
  return Object.fromEntries(await Promise.all(entries));
}

/** Writes back only the keys the run changed, so runs of the flow changing other keys at once lose nothing. */
async function writeStores(args: { mode: ForeignMode; changes: Record<string, StateChange>; ctx: NodeContext }): Promise<void> {
  const { mode, changes, ctx } = args;
  for (const [name, change] of Object.entries(changes)) {
    const store = COMPAT_STORES[mode][name];
    if (!store) continue;
    await ctx.kv.update<Record<string, unknown>>(store.key(ctx.node.id), (current) => {
      const next: Record<string, unknown> = { ...(isPlainObject(current) ? current : {}), ...change.set };
      for (const key of change.delete) delete next[key];
      if (JSON.stringify(next).length > MAX_STORE_BYTES) {
        throw new CodeError(`The ${store.label} would hold more than ${MAX_STORE_BYTES / (1024 * 1024)} MB of JSON; keep less in it`, { kind: "result" });
      }
      return Object.keys(next).length > 0 ? next : undefined;
    });
  }
}

/** Node-RED messages to the outputs they were sent to, each carrying its input item's binary when it is that item's msg. */
function routeMessages(args: { result: CodeRunResult; ports: string[]; known: Map<string, BinaryRef> }): PortItems {
  const out: PortItems = {};
  args.result.items.forEach((message, index) => {
    const port = args.ports[typeof message.output === "number" ? message.output : 0] ?? args.ports[0]!;
    (out[port] ??= []).push(keepBinary({ item: toItem(message), index, known: args.known }));
  });
  return out;
}

/** Binary refs point at stored bytes, so the code may pass them on but never make one up or change one. */
function keepBinary(args: { item: Item; index: number; known: Map<string, BinaryRef> }): Item {
  const { item, index, known } = args;
  if (!item.binary) return item;
  const binary: Record<string, BinaryRef> = {};
  for (const [name, ref] of Object.entries(item.binary)) {
    const id = isPlainObject(ref) ? ref.id : undefined;
    const original = typeof id === "string" ? known.get(id) : undefined;
    if (!original) {
      throw new CodeError(`Item ${index} returns binary "${name}" that is not one of this node's input files; copy it from an input item's binary`, {
        kind: "result",
      });
    }
    binary[name] = original;
  }
  return { ...item, binary };
}

function binaryById(items: Item[]): Map<string, BinaryRef> {
  const known = new Map<string, BinaryRef>();
  for (const item of items) for (const ref of Object.values(item.binary ?? {})) known.set(ref.id, ref);
  return known;
}

function writeLogs(logger: NodeLogger, logs: CodeLog[]): void {
  for (const log of logs) logger[log.level]({ source: "code" }, log.message);
}
