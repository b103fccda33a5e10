import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import { NodeConfigError } from "../_kit/errors";

/** The largest file a webhook is answered with: it is read into memory to be sent. */
export const ANSWER_FILE_MAX_BYTES = 50 * 1024 * 1024;

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
    file: z
      .string()
      .trim()
      .min(1)
      .optional()
      .meta({ title: "File", description: "Answer with this file of the first item (such as \"data\") instead of a body; its type is the Content-Type unless a header sets one." }),
  }),
  async execute({ config, input, ctx }) {
    const headers: Record<string, string> = {};
    for (const h of config.headers) headers[h.name.toLowerCase()] = h.value;
    if (config.file) {
      const ref = input[0]?.binary?.[config.file];
      if (!ref) throw new NodeConfigError(`The first item has no file "${config.file}" to answer with${input[0]?.binary ? `; its files are ${Object.keys(input[0].binary).map((n) => `"${n}"`).join(", ")}` : ""}`);
      const size = await ctx.binary.size(ctx.run.workspaceId, ref);
      if (size > ANSWER_FILE_MAX_BYTES) throw new NodeConfigError(`File "${config.file}" is ${size} bytes; a webhook is answered with at most ${ANSWER_FILE_MAX_BYTES}`);
      const fileHeaders = { "content-type": ref.mimeType || "application/octet-stream", ...(ref.fileName ? { "content-disposition": `inline; filename="${ref.fileName.replace(/[^\x20-\x7e]|["\\]/g, "_")}"` } : {}), ...headers };
      ctx.respond({ status: config.status, headers: fileHeaders, body: await ctx.binary.read(ctx.run.workspaceId, ref) });
      return input;
    }
    const itemsBody = config.allItems ? input.map((item) => item.json) : (input[0]?.json ?? {});
    ctx.respond({ status: config.status, headers, body: config.body === undefined || config.body === "" ? itemsBody : config.body });
    return input;
  },
});
