import { z } from "zod";
import type { HttpClient, HttpResponse } from "../_kit/context";
import { defineCredential } from "../_kit/define-credential";
import { NodeConfigError, NodeError, NodeExternalError } from "../_kit/errors";
import { isPlainObject } from "../_kit/items";

export const TELEGRAM_API_URL = "https://api.telegram.org";

export const telegramBotFields = z.object({
  token: z
    .string()
    .trim()
    .regex(/^\d+:[A-Za-z0-9_-]+$/, "a bot token looks like 123456789:AAE…, as @BotFather gives it")
    .meta({ title: "Bot token" }),
  baseUrl: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// address" })
    .default(TELEGRAM_API_URL)
    .meta({ title: "Bot API URL", description: "Change it for a self-hosted Bot API server." }),
});

export type TelegramBot = z.output<typeof telegramBotFields>;

/**
 * Calls one Bot API method. The token is part of the path, so messages name the method and never the URL;
 * Telegram's own `description` says what went wrong.
 */
export async function telegramCall(args: { bot: TelegramBot; method: string; body?: unknown; http: HttpClient; signal: AbortSignal }): Promise<unknown> {
  const { bot, method, body, http, signal } = args;
  const url = new URL(`./bot${bot.token}/${method}`, bot.baseUrl.endsWith("/") ? bot.baseUrl : `${bot.baseUrl}/`);
  let response: HttpResponse;
  try {
    response = await http.request({
      url: url.toString(),
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
      timeoutMs: 15_000,
      signal,
    });
  } catch (err) {
    // The client's messages name the URL, and this one carries the token.
    const message = `Telegram ${method} failed: ${(err as Error).message.replaceAll(bot.token, "<token>")}`;
    if (err instanceof NodeConfigError) throw new NodeConfigError(message);
    throw new NodeExternalError(message, { retryable: !(err instanceof NodeError) || err.retryable });
  }
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(response.body.toString("utf8"));
  } catch {
    // A proxy's HTML error page; the status says enough.
  }
  const answer = isPlainObject(parsed) ? parsed : {};
  if (response.status >= 400 || answer.ok !== true) {
    const description = typeof answer.description === "string" ? answer.description : `status ${response.status}`;
    const hint = response.status === 401 || response.status === 404 ? "; check the bot token" : "";
    const retryAfter = isPlainObject(answer.parameters) ? answer.parameters.retry_after : undefined;
    throw new NodeExternalError(`Telegram ${method} failed: ${description}${hint}`, {
      status: response.status,
      retryable: response.status >= 500 || response.status === 429,
      details: { method, retryAfter },
    });
  }
  return answer.result;
}

export const telegramBotCredential = defineCredential({
  type: "telegram.bot",
  name: "Telegram bot",
  description: "A bot token from @BotFather; the bot sends messages to chats it has been added to.",
  fields: telegramBotFields,
  secretFields: ["token"],
  async test({ data, ctx }) {
    const me = await telegramCall({ bot: data, method: "getMe", http: ctx.http, signal: ctx.signal });
    const username = isPlainObject(me) && typeof me.username === "string" ? me.username : "?";
    return `Signed in as the bot @${username}`;
  },
});
