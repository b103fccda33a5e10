import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";

export const WEBHOOK_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export const MAX_WEBHOOK_BODY_BYTES = 16 * 1024 * 1024;

export const webhookConfig = z.object({
  path: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]+)*$/, "must be a path such as \"orders/new\" (letters, digits, '-', '_', '.', '/')")
    .max(200)
    .meta({ title: "Path", description: "The flow answers at /hooks/<workspace>/<path>; the editor shows the whole URL when the flow is activated.", ...ui({ placeholder: "orders/new" }) }),
  methods: z.array(z.enum(WEBHOOK_METHODS)).min(1).default(["POST"]).meta({ title: "HTTP methods" }),
  respond: z
    .enum(["auto", "immediately", "respondNode", "lastNode"])
    .default("auto")
    .meta({
      title: "Respond",
      description:
        "Auto: through a Respond to webhook node when one follows this webhook, else immediately. Immediately: 202 with the run id. Respond node or last node: wait for the flow's answer, up to the timeout (then 504 with the run id).",
    }),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000).meta({ title: "Response timeout (ms)", ...ui({ advanced: true }) }),
  authentication: z
    .enum(["none", "headerToken", "hmacSha256"])
    .default("none")
    .meta({ title: "Authentication", description: "Header token: the request must carry the credential's secret. HMAC: the header holds sha256=<hex HMAC of the raw body>." }),
  authHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, "must be a header name")
    .default("x-streamware-token")
    .meta({ title: "Token or signature header", ...ui({ advanced: true }) }),
  maxBodyBytes: z.number().int().min(1).max(MAX_WEBHOOK_BODY_BYTES).default(1024 * 1024).meta({ title: "Largest body (bytes)", ...ui({ advanced: true }) }),
});

export type WebhookConfig = z.output<typeof webhookConfig>;

/**
 * Starts a run for each HTTP request to /hooks/<workspace>/<path>. The HTTP side (routing, authentication, body limit,
 * rate limit, waiting for the answer) lives in the runner's webhook handler; here the request becomes the run's
 * first item: `{ method, path, headers, query, body }`.
 */
export const webhookNode = defineNode({
  type: "core.webhook",
  version: 2,
  migrations: {
    // Version 1 answered immediately unless told otherwise; version 2 follows the flow ("auto") when nothing was
    // chosen. Stored webhooks keep answering as they did: an unset Respond becomes an explicit "immediately".
    1: (config) => ({ ...config, respond: config.respond ?? "immediately" }),
  },
  name: "Webhook",
  description: "Starts the flow when an HTTP request arrives at /hooks/<workspace>/<path>.",
  category: "trigger",
  icon: "webhook",
  trigger: { kind: "webhook" },
  credential: { type: "webhook.secret", required: false },
  // Routing is decided before a run exists, so nothing here can depend on one.
  literalFields: Object.keys(webhookConfig.shape),
  config: webhookConfig,
  async execute({ input }) {
    return input;
  },
});
