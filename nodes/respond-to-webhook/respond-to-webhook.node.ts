import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";

const header = z.object({ name: z.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name"), value: z.string() });

/** Sends the answer to the webhook call that started the run; the items pass on unchanged. */
export const respondToWebhookNode = defineNode({
  type: "core.respond-to-webhook",
  version: 1,
  name: "Respond to webhook",
  description: "Answers the webhook request that started the flow (status, headers, body); the flow may go on afterwards.",
  category: "flow",
  icon: "reply",
  config: z.object({
    status: z.number().int().min(100).max(599).default(200).meta({ title: "Status code" }),
    headers: z.array(header).default([]).meta({ title: "Headers", ...ui({ widget: "keyValue" }) }),
    body: z
      .unknown()
      .optional()
      .meta({ title: "Body", description: "Leave empty to answer with the first item's JSON (or every item's).", ...ui({ widget: "json", expression: true }) }),
    allItems: z.boolean().optional().meta({ title: "Every item", description: "With no body: answer with every item's JSON as a list, not only the first's." }),
  }),
  async execute({ config, input, ctx }) {
    const headers: Record<string, string> = {};
    for (const h of config.headers) headers[h.name.toLowerCase()] = h.value;
    const itemsBody = config.allItems ? input.map((item) => item.json) : (input[0]?.json ?? {});
    ctx.respond({ status: config.status, headers, body: config.body === undefined || config.body === "" ? itemsBody : config.body });
    return input;
  },
});
