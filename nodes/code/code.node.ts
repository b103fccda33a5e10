import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import type { CodeLog, NodeLogger } from "../_kit/context";
import { CodeError } from "../_kit/errors";
import type { BinaryRef, Item } from "../_kit/items";
import { isPlainObject, toItems } from "../_kit/items";

export const codeNode = defineNode({
  type: "core.code",
  version: 1,
  name: "Code",
  description: "Runs JavaScript on the input items in a sandbox and outputs what it returns",
  category: "data",
  icon: "code",
  // JavaScript may well contain "{{"; it is source code, not a template.
  literalFields: ["code"],
  config: z.object({
    code: z
      .string()
      .min(1, "Write the code to run; it must return the output items, such as `return items;`")
      .meta({
        title: "Code",
        description: "The body of an async function. It gets `items`, `$input`, `$trigger` and `$node`, and returns an array of objects.",
        ...ui({ widget: "code", language: "javascript" }),
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
  }),
  async execute({ config, input, ctx }) {
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
      })
      .catch((err: unknown) => {
        if (err instanceof CodeError) writeLogs(ctx.logger, err.logs);
        throw err;
      });
    writeLogs(ctx.logger, result.logs);
    const known = binaryById([...input, ...ctx.trigger]);
    return toItems(result.items).map((item, index) => keepBinary({ item, index, known }));
  },
});

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
