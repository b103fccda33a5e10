import { z } from "zod";
import { defineCredential } from "../_kit/define-credential";
import { DEFAULT_OPENAI_URL, listModels } from "./llm-client";

export const openAIApiCredential = defineCredential({
  type: "openai.api",
  name: "OpenAI API",
  description: "An API key for OpenAI, or for any server that speaks its Chat Completions API (vLLM, llama.cpp, LM Studio, OpenRouter).",
  fields: z.object({
    apiKey: z.string().trim().min(1, "the API key is required").meta({ title: "API key", examples: ["sk-…"] }),
    baseUrl: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// address" })
      .optional()
      .meta({ title: "Base URL", description: `Leave empty for OpenAI (${DEFAULT_OPENAI_URL}); an OpenAI-compatible server's address ends in /v1.` }),
    organization: z.string().trim().optional().meta({ title: "Organization ID", description: "Only for keys that belong to several organizations (org-…)." }),
  }),
  secretFields: ["apiKey"],
  async test({ data, ctx }) {
    const models = await listModels({ provider: { kind: "openai", ...data }, fetch: ctx.http.fetch, signal: ctx.signal });
    return `Reached ${data.baseUrl ?? DEFAULT_OPENAI_URL}: ${models.length} model${models.length === 1 ? "" : "s"}${models.length ? ` (${models.slice(0, 5).join(", ")}${models.length > 5 ? ", …" : ""})` : ""}`;
  },
});
