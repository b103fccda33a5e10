import { z } from "zod";
import { defineNode } from "../_kit/define-node";
import { NodeCancelledError } from "../_kit/errors";

/** Waits, then passes the items on; a cancel ends the wait at once. */
export const delayNode = defineNode({
  type: "core.delay",
  version: 1,
  name: "Delay",
  description: "Waits for a while, then passes the items on.",
  category: "flow",
  icon: "timer",
  config: z.object({
    ms: z.number().int().min(0).max(3_600_000, "wait at most an hour; use a schedule for longer").meta({ title: "Wait (ms)" }),
  }),
  async execute({ config, input, ctx }) {
    await new Promise<void>((resolve, reject) => {
      if (ctx.signal.aborted) return reject(new NodeCancelledError());
      const timer = setTimeout(resolve, config.ms);
      ctx.signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(new NodeCancelledError());
        },
        { once: true },
      );
    });
    return input;
  },
});
