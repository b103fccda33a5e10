import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { NodeContext } from "../_kit/context";
import { defineNode, describeConfigIssues, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { NodeConfigError, NodeError, NodeExternalError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { headerAuthCredential } from "../http-request/header-auth.credential";
import {
  discordPayload,
  postJson,
  sendEmail,
  sendTelegram,
  slackPayload,
  teamsPayload,
  webhookPayload,
  type AlertMessage,
  type Delivery,
} from "./channels";
import { discordWebhookCredential, slackWebhookCredential, teamsWebhookCredential } from "./incoming-webhook.credential";
import { smtpServerCredential, type SmtpServer } from "./smtp-server.credential";
import { telegramBotCredential, type TelegramBot } from "./telegram-bot.credential";

const addressList = z
  .string()
  .trim()
  .transform((text) => text.split(/[,;]/).map((a) => a.trim()).filter(Boolean))
  .pipe(z.array(z.email("must be e-mail addresses separated by commas")));

const channel = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("email"),
    to: addressList.refine((list) => list.length > 0, "needs at least one address").meta({ title: "To", ...ui({ expression: true }) }),
    cc: addressList.default([]).meta({ title: "Cc", ...ui({ expression: true }) }),
  }),
  z.object({ kind: z.literal("slack") }),
  z.object({ kind: z.literal("discord") }),
  z.object({
    kind: z.literal("teams"),
    format: z
      .enum(["messageCard", "adaptiveCard"])
      .default("messageCard")
      .meta({ title: "Card", description: "MessageCard for classic incoming webhooks; Adaptive Card for Teams Workflows." }),
  }),
  z.object({
    kind: z.literal("telegram"),
    chatId: z.union([z.string().trim().min(1), z.number().int()]).transform(String).meta({ title: "Chat id", description: "A numeric chat id or @channelname.", ...ui({ expression: true }) }),
  }),
  z.object({
    kind: z.literal("webhook"),
    url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// address" }).meta({ title: "URL", ...ui({ expression: true }) }),
  }),
]);

type Channel = z.output<typeof channel>;
type ChannelKind = Channel["kind"];

export const alertConfig = z.object({
  title: z.string().trim().min(1, "is required").max(250).meta({ title: "Title", ...ui({ expression: true, placeholder: "Disk {{ $json.disk }} is {{ $json.percent }}% full" }) }),
  message: z.string().max(4000).default("").meta({ title: "Message", ...ui({ widget: "textarea", expression: true }) }),
  severity: z.enum(["info", "warning", "critical"]).default("warning").meta({ title: "Severity" }),
  plain: z
    .boolean()
    .optional()
    .meta({
      title: "Plain message",
      description: "Send only the message as written, as a chat message or an e-mail with the title as its subject: no severity, title line or alert key. Teams and webhooks get the alert as usual.",
    }),
  channels: z
    .array(channel)
    .min(1, "add at least one channel")
    .superRefine((list, issues) => {
      const seen = new Set<string>();
      list.forEach((c, i) => {
        if (seen.has(c.kind)) issues.addIssue({ code: "custom", path: [i, "kind"], message: `${c.kind} is listed twice; one node sends to each kind of channel once` });
        seen.add(c.kind);
      });
    })
    .meta({ title: "Channels" }),
  dedupeKey: z
    .string()
    .trim()
    .max(500)
    .default("")
    .meta({ title: "Alert key", description: "Alerts with the same key are de-duplicated; empty uses the title.", ...ui({ expression: true }) }),
  windowSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .default(300)
    .meta({ title: "Window (s)", description: "Repeats of a key within this time are held back and counted; 0 sends every alert." }),
  maxPerWindow: z.number().int().min(1).max(1000).default(1).meta({ title: "Alerts per window", description: "How many alerts of one key go out in a window.", ...ui({ advanced: true }) }),
  failOnAnyChannel: z
    .boolean()
    .default(false)
    .meta({ title: "Fail if any channel fails", description: "Off: the step fails only when every channel fails.", ...ui({ advanced: true }) }),
});

export type AlertConfig = z.output<typeof alertConfig>;

const CREDENTIAL_OF: Record<ChannelKind, { type: string; required: boolean }> = {
  email: { type: smtpServerCredential.type, required: true },
  slack: { type: slackWebhookCredential.type, required: true },
  discord: { type: discordWebhookCredential.type, required: true },
  teams: { type: teamsWebhookCredential.type, required: true },
  telegram: { type: telegramBotCredential.type, required: true },
  webhook: { type: headerAuthCredential.type, required: false },
};

/** The window of one alert key, kept in the flow's state. */
interface WindowState {
  /** When the window's first alert went out; null when no window is open. */
  windowStart: number | null;
  sent: number;
  suppressed: number;
  /** Who sent last, so a failed delivery can take back only its own claim. */
  claim: string | null;
}

type Decision = { send: true; carried: number; previousStart: number | null } | { send: false; suppressed: number; windowStart: number };

/** Opens, fills or reuses the key's window in one atomic step, so concurrent runs cannot both send. */
function decide(args: { state: WindowState | undefined; now: number; windowMs: number; max: number; claim: string }): { state: WindowState; decision: Decision } {
  const { state, now, windowMs, max, claim } = args;
  const open = state && state.windowStart !== null && now < state.windowStart + windowMs;
  if (!open) {
    return {
      state: { windowStart: now, sent: 1, suppressed: 0, claim },
      decision: { send: true, carried: state?.suppressed ?? 0, previousStart: state?.windowStart ?? null },
    };
  }
  if (state.sent < max) return { state: { ...state, sent: state.sent + 1, claim }, decision: { send: true, carried: 0, previousStart: state.windowStart } };
  return { state: { ...state, suppressed: state.suppressed + 1 }, decision: { send: false, suppressed: state.suppressed + 1, windowStart: state.windowStart! } };
}

/** Takes back a claim whose alert reached no one: the count it carried is owed to the next alert that goes out. */
function release(args: { state: WindowState | undefined; claim: string; carried: number; previousStart: number | null }): WindowState | undefined {
  const { state, claim, carried, previousStart } = args;
  if (!state) return carried ? { windowStart: null, sent: 0, suppressed: carried, claim: null } : undefined;
  const ours = state.claim === claim;
  const sent = ours ? state.sent - 1 : state.sent;
  return {
    windowStart: ours && sent === 0 ? previousStart : state.windowStart,
    sent,
    suppressed: state.suppressed + carried,
    claim: ours ? null : state.claim,
  };
}

async function credentialFor(ctx: NodeContext<AlertConfig>, kind: ChannelKind): Promise<Record<string, string> | null> {
  const { type, required } = CREDENTIAL_OF[kind];
  const data = await ctx.credentialOf(type);
  if (!data && required) {
    throw new NodeConfigError(`The ${kind} channel needs a ${type} credential; pick one in the node's credentials or remove the channel`, { details: { channel: kind } });
  }
  return data;
}

type OpenedCredentials = Map<ChannelKind, Record<string, string> | null>;

/**
 * Checks each channel's credential before anything is sent or counted, so a set-up mistake harms nothing. Adds
 * to `opened`, which the node keeps for the whole batch: each credential is read once, not once per item.
 */
async function openCredentials(ctx: NodeContext<AlertConfig>, channels: Channel[], opened: OpenedCredentials) {
  for (const c of channels) {
    if (opened.has(c.kind)) continue;
    const data = await credentialFor(ctx, c.kind);
    const fields = c.kind === "email" ? smtpServerCredential.fields : c.kind === "telegram" ? telegramBotCredential.fields : null;
    if (fields && data) {
      const parsed = fields.safeParse(data);
      if (!parsed.success) throw new NodeConfigError(`The ${CREDENTIAL_OF[c.kind].type} credential is incomplete: ${describeConfigIssues(parsed.error.issues)}; edit the credential`);
      opened.set(c.kind, parsed.data as Record<string, string>);
      continue;
    }
    if ((c.kind === "slack" || c.kind === "discord" || c.kind === "teams") && !data?.url) {
      throw new NodeConfigError(`The ${c.kind} credential has no webhook URL; edit the credential`);
    }
    opened.set(c.kind, data);
  }
  return opened;
}

async function deliver(args: { ctx: NodeContext<AlertConfig>; channel: Channel; credential: Record<string, string> | null; alert: AlertMessage }): Promise<Delivery> {
  const { ctx, channel: c, credential, alert } = args;
  const common = { http: ctx.http, signal: ctx.signal };
  switch (c.kind) {
    case "email":
      return sendEmail({ ...common, server: credential as unknown as SmtpServer, to: c.to, cc: c.cc, alert });
    case "telegram":
      return sendTelegram({ ...common, bot: credential as unknown as TelegramBot, chatId: c.chatId, alert });
    case "slack":
      await postJson({ ...common, url: credential!.url!, body: slackPayload(alert), service: "Slack" });
      return { messageId: null };
    case "teams":
      await postJson({ ...common, url: credential!.url!, body: teamsPayload(alert, c.format), service: "Teams" });
      return { messageId: null };
    case "discord": {
      // wait=true makes Discord answer with the message it created, id included.
      const url = new URL(credential!.url!);
      url.searchParams.set("wait", "true");
      const { json } = await postJson({ ...common, url: url.toString(), body: discordPayload(alert), service: "Discord" });
      const id = json && typeof json === "object" && "id" in json ? String((json as { id: unknown }).id) : null;
      return { messageId: id };
    }
    case "webhook": {
      const headers = credential?.name ? { [credential.name]: credential.value ?? "" } : undefined;
      const { json } = await postJson({ ...common, url: c.url, body: webhookPayload(alert), service: `The webhook at ${new URL(c.url).host}`, headers });
      const id = json && typeof json === "object" && "id" in json ? String((json as { id: unknown }).id) : null;
      return { messageId: id };
    }
  }
}

interface Failure {
  message: string;
  status?: number;
  retryable: boolean;
}

function asFailure(err: unknown): Failure {
  if (err instanceof NodeExternalError) return { message: err.message, status: err.status, retryable: err.retryable };
  if (err instanceof NodeError) return { message: err.message, retryable: err.retryable };
  return { message: err instanceof Error ? err.message : String(err), retryable: true };
}

export interface AlertNodeOptions {
  /** The clock that decides windows; tests move it instead of waiting. */
  now?: () => number;
}

/**
 * Sends an alert to every configured channel at once. Repeats of one key within the window are held back and
 * counted in the flow's state; the next alert that goes out says how many were held back.
 */
export function createAlertNode(options: AlertNodeOptions = {}) {
  const now = options.now ?? Date.now;

  return defineNode({
    type: "messaging.alert",
    version: 1,
    name: "Alert",
    description: "Sends an alert by e-mail, Slack, Discord, Teams, Telegram or a webhook, with severity, de-duplication and throttling.",
    category: "messaging",
    icon: "bell",
    moreCredentials: Object.values(CREDENTIAL_OF).map((c) => c.type),
    // Each channel's credential is offered once that channel is in the list.
    credentialUse: Object.fromEntries(
      Object.values(CREDENTIAL_OF).map(({ type }) => [type, { list: "channels", key: "kind", values: Object.entries(CREDENTIAL_OF).filter(([, c]) => c.type === type).map(([kind]) => kind) }]),
    ),
    config: alertConfig,
    async execute({ input, ctx }) {
      const out: Item[] = [];
      const opened: OpenedCredentials = new Map();
      for await (const { config } of eachItem({ input, ctx, evenIfEmpty: true })) {
        const credentials = await openCredentials(ctx, config.channels, opened);
        const key = config.dedupeKey || config.title;
        const stateKey = `alert:${ctx.node.id}:${key}`;
        const at = now();
        const claim = randomUUID();

        let decision = { send: true, carried: 0, previousStart: null } as Decision;
        if (config.windowSeconds > 0) {
          const windowMs = config.windowSeconds * 1000;
          await ctx.kv.update<WindowState>(stateKey, (state) => {
            const next = decide({ state, now: at, windowMs, max: config.maxPerWindow, claim });
            decision = next.decision;
            return next.state;
          });
        }
        const base = { key, severity: config.severity, title: config.title };
        if (!decision.send) {
          ctx.logger.info({ key, suppressed: decision.suppressed }, "alert suppressed");
          out.push({
            json: { ...base, sent: false, suppressed: true, suppressedCount: decision.suppressed, windowStart: new Date(decision.windowStart).toISOString(), delivered: [], messageIds: {}, failures: {} },
          });
          continue;
        }

        const sent = decision;
        const alert: AlertMessage = {
          title: config.title,
          message: config.message,
          severity: config.severity,
          key,
          suppressedBefore: sent.carried,
          at: new Date(at),
          source: { flowId: ctx.run.flowId, runId: ctx.run.id, nodeName: ctx.node.name },
          plain: config.plain === true,
        };
        const results = await Promise.allSettled(config.channels.map((c) => deliver({ ctx, channel: c, credential: credentials.get(c.kind) ?? null, alert })));
        const delivered: ChannelKind[] = [];
        const messageIds: Partial<Record<ChannelKind, string>> = {};
        const failures: Partial<Record<ChannelKind, Failure>> = {};
        results.forEach((result, index) => {
          const kind = config.channels[index]!.kind;
          if (result.status === "fulfilled") {
            delivered.push(kind);
            if (result.value.messageId) messageIds[kind] = result.value.messageId;
          } else {
            failures[kind] = asFailure(result.reason);
          }
        });
        ctx.signal.throwIfAborted();

        const failed = Object.keys(failures) as ChannelKind[];
        if (delivered.length === 0 || (config.failOnAnyChannel && failed.length > 0)) {
          // Nothing (or not everything) went out: the window is given back so a retry is not taken for a repeat.
          if (config.windowSeconds > 0) {
            await ctx.kv.update<WindowState>(stateKey, (state) => release({ state, claim, carried: sent.carried, previousStart: sent.previousStart }));
          }
          const summary = failed.map((k) => `${k}: ${failures[k]!.message}`).join("; ");
          const lead = delivered.length === 0 ? "The alert reached no channel" : `The alert failed on ${failed.join(", ")} (sent by ${delivered.join(", ")})`;
          throw new NodeExternalError(`${lead}. ${summary}`, {
            status: failed.length === 1 ? failures[failed[0]!]!.status : undefined,
            retryable: failed.some((k) => failures[k]!.retryable),
            details: { failures, delivered, messageIds },
          });
        }
        out.push({ json: { ...base, sent: true, suppressed: false, suppressedBefore: sent.carried, delivered, messageIds, failures } });
      }
      return out;
    },
  });
}

export const alertNode = createAlertNode();
