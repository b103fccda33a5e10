import { z } from "zod";
import { defineCredential } from "../_kit/define-credential";
import { DEFAULT_OLLAMA_URL, listModels } from "./llm-client";

export const ollamaApiCredential = defineCredential({
  type: "ollama.api",
  name: "Ollama",
  description: "Where an Ollama server is, and a bearer token when it sits behind an authenticating proxy.",
  fields: z.object({
    baseUrl: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// address" })
      .meta({ title: "Base URL", examples: [DEFAULT_OLLAMA_URL] }),
    apiKey: z.string().trim().optional().meta({ title: "Bearer token", description: "Sent as Authorization: Bearer …; leave empty for an Ollama without one." }),
  }),
  secretFields: ["apiKey"],
  async test({ data, ctx }) {
    const models = await listModels({ provider: { kind: "ollama", ...data }, fetch: ctx.http.fetch, signal: ctx.signal });
    return `Reached Ollama at ${data.baseUrl}: ${models.length} model${models.length === 1 ? "" : "s"} pulled${models.length ? ` (${models.slice(0, 5).join(", ")}${models.length > 5 ? ", …" : ""})` : ""}`;
  },
});
