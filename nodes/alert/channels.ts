import type { HttpClient } from "../_kit/context";
import { NodeExternalError } from "../_kit/errors";
import { describeStatus } from "../_kit/http-status";
import { isPlainObject } from "../_kit/items";
import { describeSmtpError, smtpTransport, type SmtpServer } from "./smtp-server.credential";
import { telegramCall, type TelegramBot } from "./telegram-bot.credential";

export type Severity = "info" | "warning" | "critical";

/** What every channel renders, each in its own format. */
export interface AlertMessage {
  title: string;
  message: string;
  severity: Severity;
  key: string;
  /** Alerts of this key held back since the last one that went out. */
  suppressedBefore: number;
  at: Date;
  source: { flowId: string; runId: string; nodeName: string };
  /** Only the message as written: no title line, severity or key (a chat message rather than an alert). */
  plain?: boolean;
}

const STYLE: Record<Severity, { label: string; icon: string; color: string; adaptiveColor: string }> = {
  info: { label: "INFO", icon: "ℹ️", color: "2563EB", adaptiveColor: "Accent" },
  warning: { label: "WARNING", icon: "⚠️", color: "D97706", adaptiveColor: "Warning" },
  critical: { label: "CRITICAL", icon: "🚨", color: "DC2626", adaptiveColor: "Attention" },
};

export function suppressedNote(alert: AlertMessage): string | null {
  if (alert.suppressedBefore === 0) return null;
  return alert.suppressedBefore === 1 ? "1 similar alert suppressed" : `${alert.suppressedBefore} similar alerts suppressed`;
}

/** The body and the note, as plain text lines. */
function plainBody(alert: AlertMessage): string {
  return [alert.message, suppressedNote(alert) && `(${suppressedNote(alert)})`].filter(Boolean).join("\n\n");
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function slackPayload(alert: AlertMessage) {
  if (alert.plain) return { text: alert.message || alert.title };
  const s = STYLE[alert.severity];
  const note = suppressedNote(alert);
  const context = [`*${s.label}*`, `key \`${alert.key}\``, ...(note ? [note] : [])].join("  ·  ");
  return {
    // Shown in notifications and by clients that do not render blocks.
    text: `${s.icon} [${s.label}] ${alert.title}${alert.message ? `\n${alert.message}` : ""}${note ? `\n(${note})` : ""}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: `${s.icon} ${alert.title}`.slice(0, 150), emoji: true } },
      ...(alert.message ? [{ type: "section", text: { type: "mrkdwn", text: alert.message.slice(0, 3000) } }] : []),
      { type: "context", elements: [{ type: "mrkdwn", text: context }] },
    ],
  };
}

export function discordPayload(alert: AlertMessage) {
  // Text from upstream data must not ping @everyone or roles, plain or not.
  if (alert.plain) return { content: (alert.message || alert.title).slice(0, 2000), allowed_mentions: { parse: [] } };
  const s = STYLE[alert.severity];
  const note = suppressedNote(alert);
  return {
    content: `${s.icon} **${s.label}**: ${alert.title}`.slice(0, 2000),
    embeds: [
      {
        title: alert.title.slice(0, 256),
        description: alert.message.slice(0, 4096) || undefined,
        color: parseInt(s.color, 16),
        fields: [{ name: "Severity", value: s.label, inline: true }, { name: "Key", value: alert.key.slice(0, 1024), inline: true }],
        footer: note ? { text: note } : undefined,
        timestamp: alert.at.toISOString(),
      },
    ],
    // Text from upstream data must not ping @everyone or roles.
    allowed_mentions: { parse: [] },
  };
}

export function teamsPayload(alert: AlertMessage, format: "messageCard" | "adaptiveCard") {
  const s = STYLE[alert.severity];
  const note = suppressedNote(alert);
  const facts = [
    { name: "Severity", value: s.label },
    { name: "Key", value: alert.key },
    ...(note ? [{ name: "Suppressed", value: note }] : []),
  ];
  if (format === "messageCard") {
    return {
      "@type": "MessageCard",
      "@context": "https://schema.org/extensions",
      themeColor: s.color,
      summary: `[${s.label}] ${alert.title}`,
      title: `${s.icon} [${s.label}] ${alert.title}`,
      text: alert.message || undefined,
      sections: [{ facts }],
    };
  }
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: `${s.icon} ${alert.title}`, weight: "Bolder", size: "Medium", color: s.adaptiveColor, wrap: true },
            ...(alert.message ? [{ type: "TextBlock", text: alert.message, wrap: true }] : []),
            { type: "FactSet", facts: facts.map((f) => ({ title: f.name, value: f.value })) },
          ],
        },
      },
    ],
  };
}

export function telegramText(alert: AlertMessage): string {
  if (alert.plain) return escapeHtml(alert.message || alert.title);
  const s = STYLE[alert.severity];
  const note = suppressedNote(alert);
  return [`<b>${s.icon} ${s.label}: ${escapeHtml(alert.title)}</b>`, alert.message && escapeHtml(alert.message), note && `<i>${escapeHtml(note)}</i>`]
    .filter(Boolean)
    .join("\n\n");
}

export function webhookPayload(alert: AlertMessage) {
  return {
    title: alert.title,
    message: alert.message,
    severity: alert.severity,
    key: alert.key,
    suppressedCount: alert.suppressedBefore,
    at: alert.at.toISOString(),
    ...alert.source,
  };
}

export function emailContent(alert: AlertMessage) {
  if (alert.plain) return { subject: alert.title, text: alert.message, html: undefined };
  const s = STYLE[alert.severity];
  const note = suppressedNote(alert);
  const html = [
    `<h2 style="color:#${s.color};margin:0 0 12px">${s.icon} ${s.label}: ${escapeHtml(alert.title)}</h2>`,
    alert.message && `<p style="white-space:pre-wrap">${escapeHtml(alert.message)}</p>`,
    note && `<p><em>${escapeHtml(note)}</em></p>`,
    `<p style="color:#6b7280;font-size:12px">Alert key: ${escapeHtml(alert.key)} · ${alert.at.toISOString()}</p>`,
  ]
    .filter(Boolean)
    .join("\n");
  return { subject: `[${s.label}] ${alert.title}`, text: plainBody(alert), html };
}

/** What one channel did: a message id when the service gives one. */
export interface Delivery {
  messageId: string | null;
}

/** Posts JSON; the URL (a secret for incoming webhooks) never appears in messages, only the service's name. */
export async function postJson(args: { http: HttpClient; signal: AbortSignal; url: string; body: unknown; service: string; headers?: Record<string, string> }) {
  const { http, signal, url, body, service, headers } = args;
  const response = await http.request({
    url,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    timeoutMs: 15_000,
    signal,
  });
  const text = response.body.toString("utf8");
  if (response.status >= 400) {
    const excerpt = text.replace(/\s+/g, " ").trim().slice(0, 200);
    throw new NodeExternalError(`${service} answered ${describeStatus(response.status)}${excerpt ? `: ${excerpt}` : ""}`, {
      status: response.status,
      retryable: response.status >= 500 || response.status === 429,
      details: { retryAfter: response.headers["retry-after"] },
    });
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Slack answers "ok" and Teams "1": text, not JSON.
  }
  return { status: response.status, json };
}

export async function sendEmail(args: { server: SmtpServer; to: string[]; cc: string[]; alert: AlertMessage; http: HttpClient; signal: AbortSignal }): Promise<Delivery> {
  const { server, to, cc, alert, http, signal } = args;
  const transport = await smtpTransport({ server, http });
  // nodemailer takes no signal; closing the transport ends the connection and fails the send.
  const onAbort = () => transport.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const { subject, text, html } = emailContent(alert);
    const info = await transport.sendMail({
      from: server.from,
      to,
      cc: cc.length ? cc : undefined,
      subject,
      text,
      html,
      priority: alert.severity === "critical" ? "high" : "normal",
      headers: { "X-Alert-Key": alert.key, "X-Alert-Severity": alert.severity },
    });
    if (info.rejected.length) {
      throw new NodeExternalError(`the SMTP server ${server.host}:${server.port} refused the recipients ${info.rejected.join(", ")}`, { retryable: false });
    }
    return { messageId: info.messageId };
  } catch (err) {
    if (err instanceof NodeExternalError) throw err;
    signal.throwIfAborted();
    const code = (err as { responseCode?: number }).responseCode;
    throw new NodeExternalError(describeSmtpError({ server, err }), { status: code, retryable: code === undefined || (code >= 400 && code < 500), cause: err });
  } finally {
    signal.removeEventListener("abort", onAbort);
    transport.close();
  }
}

export async function sendTelegram(args: {
  bot: TelegramBot;
  chatId: string;
  alert: AlertMessage;
  http: HttpClient;
  signal: AbortSignal;
}): Promise<Delivery> {
  const { bot, chatId, alert, http, signal } = args;
  const result = await telegramCall({
    bot,
    method: "sendMessage",
    body: { chat_id: chatId, text: telegramText(alert), parse_mode: "HTML", disable_web_page_preview: true },
    http,
    signal,
  });
  return { messageId: isPlainObject(result) && result.message_id !== undefined ? String(result.message_id) : null };
}
