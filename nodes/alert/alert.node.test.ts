import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../runner/http-client";
import { closeTestServers } from "../_kit/test-http-server";
import { NodeConfigError, NodeExternalError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { failure, MemoryKeyValueStore, runNode } from "../../runner/node-testing";
import { createAlertNode } from "./alert.node";
import { closeSmtpServers, services, smtp } from "./alert-test-server";
import { smtpServerCredential } from "./smtp-server.credential";
import { telegramBotCredential } from "./telegram-bot.credential";

const loopback = createHttpClient({ allow: ["127.0.0.1"] });

afterEach(async () => {
  await closeTestServers();
  await closeSmtpServers();
});

afterAll(async () => {
  await loopback.close();
});

function clock(start = Date.UTC(2025, 5, 12, 12, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

type AlertJson = {
  sent: boolean;
  suppressed: boolean;
  suppressedCount?: number;
  suppressedBefore?: number;
  delivered: string[];
  messageIds: Record<string, string>;
  failures: Record<string, { message: string; status?: number }>;
};

describe("messaging.alert", () => {
  it("sends only the message as written when plain: a chat message, or an e-mail with the title as its subject", async () => {
    const mail = await smtp();
    const api = await services();
    const node = createAlertNode({ now: clock().now });
    await runNode(node, {
      config: {
        title: "Order {{ $json.id }}",
        message: "Order {{ $json.id }} <paid> @everyone",
        severity: "critical",
        plain: true,
        channels: [{ kind: "email", to: "ops@example.com" }, { kind: "slack" }, { kind: "discord" }, { kind: "telegram", chatId: "-1001234" }],
      },
      input: [{ json: { id: 7 } }],
      credentialsOf: { "smtp.server": mail.credential, ...api.credentials },
      http: loopback,
    });
    expect(api.byService("slack")[0]!.body).toEqual({ text: "Order 7 <paid> @everyone" });
    expect(api.byService("discord")[0]!.body).toEqual({ content: "Order 7 <paid> @everyone", allowed_mentions: { parse: [] } });
    expect(api.byService("telegram")[0]!.body).toMatchObject({ chat_id: "-1001234", text: "Order 7 &lt;paid&gt; @everyone", parse_mode: "HTML" });
    const [m] = mail.mails;
    expect(m!.raw).toMatch(/^Subject: Order 7$/m);
    expect(m!.raw).toContain("Order 7 <paid> @everyone");
    expect(m!.raw).not.toContain("text/html");
  });

  it("sends one alert to e-mail, Slack, Discord, Teams, Telegram and a webhook, each in its own format", async () => {
    const mail = await smtp();
    const api = await services();
    const node = createAlertNode({ now: clock().now });
    const { items } = await runNode(node, {
      config: {
        title: "Disk {{ $json.disk }} is {{ $json.percent }}% full",
        message: "Host {{ $json.host }} has <{{ 100 - $json.percent }}% left",
        severity: "critical",
        channels: [
          { kind: "email", to: "ops@example.com, oncall@example.com" },
          { kind: "slack" },
          { kind: "discord" },
          { kind: "teams" },
          { kind: "telegram", chatId: "-1001234" },
          { kind: "webhook", url: `${api.server.url}/hook/alerts` },
        ],
      },
      input: [{ json: { disk: "/var", percent: 93, host: "db-1" } }],
      credentialsOf: { "smtp.server": mail.credential, ...api.credentials, "http.header-auth": { name: "X-Token", value: "hook-secret" } },
      http: loopback,
    });
    const json = items[0]!.json as AlertJson;
    expect(json.sent).toBe(true);
    expect(json.delivered.sort()).toEqual(["discord", "email", "slack", "teams", "telegram", "webhook"]);
    expect(json.failures).toEqual({});
    expect(json.messageIds).toMatchObject({ discord: "1250000000000000001", telegram: "42", webhook: "evt_1" });
    expect(json.messageIds.email).toMatch(/^<.+@.+>$/);

    const [m] = mail.mails;
    expect(m!.user).toBe("alerts");
    expect(m!.from).toBe("alerts@example.com");
    expect(m!.to).toEqual(["ops@example.com", "oncall@example.com"]);
    expect(m!.raw).toMatch(/^From: Streamware Alerts <alerts@example\.com>$/m);
    expect(m!.raw).toMatch(/^To: ops@example\.com, oncall@example\.com$/m);
    expect(m!.raw).toMatch(/^Subject: \[CRITICAL\] Disk \/var is 93% full$/m);
    expect(m!.raw).toMatch(/^X-Priority: 1 \(Highest\)$/m);
    expect(m!.raw).toContain("Host db-1 has <7% left");
    // The HTML part is quoted-printable: soft line breaks joined, the message escaped.
    expect(m!.raw.replace(/=\r?\n/g, "")).toContain("Host db-1 has &lt;7% left</p>");

    const slack = api.byService("slack")[0]!.body;
    expect(slack.text).toBe("🚨 [CRITICAL] Disk /var is 93% full\nHost db-1 has <7% left");
    expect(slack.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: "🚨 Disk /var is 93% full", emoji: true } },
      { type: "section", text: { type: "mrkdwn", text: "Host db-1 has <7% left" } },
      { type: "context", elements: [{ type: "mrkdwn", text: "*CRITICAL*  ·  key `Disk /var is 93% full`" }] },
    ]);

    const discord = api.byService("discord")[0]!;
    expect(discord.path).toBe("/discord/api/webhooks/1/abc?wait=true");
    expect(discord.body).toMatchObject({
      content: "🚨 **CRITICAL**: Disk /var is 93% full",
      embeds: [{ title: "Disk /var is 93% full", description: "Host db-1 has <7% left", color: 0xdc2626, timestamp: "2025-06-12T12:00:00.000Z" }],
      allowed_mentions: { parse: [] },
    });

    expect(api.byService("teams")[0]!.body).toEqual({
      "@type": "MessageCard",
      "@context": "https://schema.org/extensions",
      themeColor: "DC2626",
      summary: "[CRITICAL] Disk /var is 93% full",
      title: "🚨 [CRITICAL] Disk /var is 93% full",
      text: "Host db-1 has <7% left",
      sections: [{ facts: [{ name: "Severity", value: "CRITICAL" }, { name: "Key", value: "Disk /var is 93% full" }] }],
    });

    const telegram = api.byService("telegram")[0]!;
    expect(telegram.path).toBe("/telegram/bot123456:ABC-def_ghi/sendMessage");
    expect(telegram.body).toEqual({
      chat_id: "-1001234",
      text: "<b>🚨 CRITICAL: Disk /var is 93% full</b>\n\nHost db-1 has &lt;7% left",
      parse_mode: "HTML",
      disable_web_page_preview: true,
    });

    const hook = api.byService("hook")[0]!;
    expect(hook.headers["x-token"]).toBe("hook-secret");
    expect(hook.body).toEqual({
      title: "Disk /var is 93% full",
      message: "Host db-1 has <7% left",
      severity: "critical",
      key: "Disk /var is 93% full",
      suppressedCount: 0,
      at: "2025-06-12T12:00:00.000Z",
      flowId: "test-flow",
      runId: "test-run",
      nodeName: "Alert",
    });
  });

  it("sends Teams an Adaptive Card when asked", async () => {
    const api = await services();
    const node = createAlertNode({ now: clock().now });
    await runNode(node, {
      config: { title: "Queue backlog", severity: "info", channels: [{ kind: "teams", format: "adaptiveCard" }] },
      credentialsOf: api.credentials,
      http: loopback,
    });
    const card = api.byService("teams")[0]!.body as { type: string; attachments: { contentType: string; content: { type: string; version: string; body: unknown[] } }[] };
    expect(card.type).toBe("message");
    expect(card.attachments[0]!.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card.attachments[0]!.content).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    expect(card.attachments[0]!.content.body[0]).toEqual({ type: "TextBlock", text: "ℹ️ Queue backlog", weight: "Bolder", size: "Medium", color: "Accent", wrap: true });
  });

  it("holds back repeats of a key within the window, counts them, and reports the count with the next alert after it", async () => {
    const api = await services();
    const time = clock();
    const node = createAlertNode({ now: time.now });
    const kv = new MemoryKeyValueStore();
    const send = async (input: Item) =>
      (
        await runNode(node, {
          config: { title: "CPU high on {{ $json.host }}", dedupeKey: "cpu-{{ $json.host }}", windowSeconds: 600, channels: [{ kind: "slack" }] },
          input: [input],
          credentialsOf: api.credentials,
          kv,
          http: loopback,
        })
      ).items[0]!.json as AlertJson;

    expect(await send({ json: { host: "a" } })).toMatchObject({ sent: true, suppressedBefore: 0 });
    time.advance(60_000);
    expect(await send({ json: { host: "a" } })).toMatchObject({ sent: false, suppressed: true, suppressedCount: 1, delivered: [] });
    // Another key has its own window.
    expect(await send({ json: { host: "b" } })).toMatchObject({ sent: true });
    time.advance(60_000);
    expect(await send({ json: { host: "a" } })).toMatchObject({ sent: false, suppressedCount: 2 });
    expect(api.byService("slack")).toHaveLength(2);

    time.advance(600_000);
    expect(await send({ json: { host: "a" } })).toMatchObject({ sent: true, suppressed: false, suppressedBefore: 2 });
    const slack = api.byService("slack");
    expect(slack).toHaveLength(3);
    expect(slack[2]!.body.text).toBe("⚠️ [WARNING] CPU high on a\n(2 similar alerts suppressed)");
    // The count was reported once; the window that just opened starts from zero.
    time.advance(10_000);
    expect(await send({ json: { host: "a" } })).toMatchObject({ sent: false, suppressedCount: 1 });
  });

  it("lets a given number through per window when throttling", async () => {
    const api = await services();
    const node = createAlertNode({ now: clock().now });
    const kv = new MemoryKeyValueStore();
    const results: AlertJson[] = [];
    for (let i = 0; i < 5; i++) {
      const { items } = await runNode(node, { config: { title: "t", maxPerWindow: 2, channels: [{ kind: "slack" }] }, credentialsOf: api.credentials, kv, http: loopback });
      results.push(items[0]!.json as AlertJson);
    }
    expect(results.map((r) => r.sent)).toEqual([true, true, false, false, false]);
    expect(results.map((r) => r.suppressedCount)).toEqual([undefined, undefined, 1, 2, 3]);
  });

  it("sends once when many runs raise the same key at the same moment", async () => {
    const api = await services();
    const node = createAlertNode({ now: clock().now });
    const kv = new MemoryKeyValueStore();
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const { items } = await runNode(node, { config: { title: "same", channels: [{ kind: "slack" }] }, credentialsOf: api.credentials, kv, http: loopback });
        return items[0]!.json as AlertJson;
      }),
    );
    expect(outcomes.filter((o) => o.sent)).toHaveLength(1);
    expect(outcomes.map((o) => o.suppressedCount ?? 0).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(api.byService("slack")).toHaveLength(1);
  });

  it("goes on with the other channels when one fails, and reports the failure", async () => {
    const api = await services({ fail: ["discord"] });
    const node = createAlertNode({ now: clock().now });
    const { items } = await runNode(node, {
      config: { title: "t", channels: [{ kind: "discord" }, { kind: "slack" }, { kind: "telegram", chatId: "404" }] },
      credentialsOf: api.credentials,
      http: loopback,
    });
    const json = items[0]!.json as AlertJson;
    expect(json.delivered).toEqual(["slack"]);
    expect(json.failures.discord).toMatchObject({ status: 503, message: "Discord answered 503 Service Unavailable: service unavailable" });
    expect(json.failures.telegram).toMatchObject({ status: 400, message: "Telegram sendMessage failed: Bad Request: chat not found" });
    // The secret webhook URL is never part of an error.
    expect(JSON.stringify(json.failures)).not.toContain("/api/webhooks/1/abc");
  });

  it("fails the step when every channel fails, and gives the window back so a retry sends", async () => {
    const api = await services({ fail: ["slack", "discord"] });
    const node = createAlertNode({ now: clock().now });
    const kv = new MemoryKeyValueStore();
    const config = { title: "t", channels: [{ kind: "slack" }, { kind: "discord" }] };
    const err = (await failure(runNode(node, { config, credentialsOf: api.credentials, kv, http: loopback }))) as NodeExternalError;
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(
      "The alert reached no channel. slack: Slack answered 503 Service Unavailable: service unavailable; discord: Discord answered 503 Service Unavailable: service unavailable",
    );
    expect(kv.values.get("alert:node-under-test:t")).toMatchObject({ windowStart: null, sent: 0 });

    const healthy = await services();
    const { items } = await runNode(node, { config, credentialsOf: healthy.credentials, kv, http: loopback });
    expect((items[0]!.json as AlertJson).sent).toBe(true);
  });

  it("fails on any failed channel when configured to", async () => {
    const api = await services({ fail: ["discord"] });
    const node = createAlertNode({ now: clock().now });
    const err = await failure(
      runNode(node, { config: { title: "t", failOnAnyChannel: true, channels: [{ kind: "slack" }, { kind: "discord" }] }, credentialsOf: api.credentials, http: loopback }),
    );
    expect(err.message).toMatch(/^The alert failed on discord \(sent by slack\)\. discord: Discord answered 503/);
  });

  it("says which SMTP server could not be reached", async () => {
    const mail = await smtp();
    await closeSmtpServers();
    const node = createAlertNode({ now: clock().now });
    const err = (await failure(
      runNode(node, { config: { title: "t", channels: [{ kind: "email", to: "ops@example.com" }] }, credentialsOf: { "smtp.server": mail.credential }, http: loopback }),
    )) as NodeExternalError;
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.message).toContain(
      `email: Could not reach the SMTP server 127.0.0.1:${mail.port} (connection refused); check the host, the port and the security setting (connect ECONNREFUSED`,
    );
    expect(err.retryable).toBe(true);
  });

  it("refuses an SMTP server on a private address unless allowed", async () => {
    const mail = await smtp();
    const node = createAlertNode({ now: clock().now });
    const err = await failure(
      runNode(node, { config: { title: "t", channels: [{ kind: "email", to: "ops@example.com" }] }, credentialsOf: { "smtp.server": mail.credential } }),
    );
    expect(err.message).toMatch(/loopback/);
    expect(mail.mails).toHaveLength(0);
  });

  it("names a missing credential before sending or counting anything", async () => {
    const api = await services();
    const node = createAlertNode({ now: clock().now });
    const kv = new MemoryKeyValueStore();
    const err = await failure(
      runNode(node, {
        config: { title: "t", channels: [{ kind: "slack" }, { kind: "email", to: "ops@example.com" }] },
        credentialsOf: { "slack.incoming-webhook": api.credentials["slack.incoming-webhook"] },
        kv,
        http: loopback,
      }),
    );
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toBe("The email channel needs a smtp.server credential; pick one in the node's credentials or remove the channel");
    expect(api.received).toHaveLength(0);
    expect(kv.values.size).toBe(0);
  });

  it("checks the channel list and the addresses", async () => {
    const node = createAlertNode({ now: clock().now });
    const twice = await failure(runNode(node, { config: { title: "t", channels: [{ kind: "slack" }, { kind: "slack" }] } }));
    expect(twice).toBeInstanceOf(NodeConfigError);
    expect(twice.message).toContain("Channel 2: Kind: slack is listed twice");
    const badAddress = await failure(runNode(node, { config: { title: "t", channels: [{ kind: "email", to: "ops@example.com, not-an-address" }] } }));
    expect(badAddress.message).toContain("must be e-mail addresses separated by commas");
  });

  it("tests an SMTP credential by signing in, and a Telegram credential with getMe", async () => {
    const mail = await smtp();
    const api = await services();
    const ctx = { http: loopback, signal: new AbortController().signal };
    await expect(smtpServerCredential.test(mail.credential, ctx)).resolves.toBe(`127.0.0.1:${mail.port} accepted the connection and the sign-in as alerts`);
    await expect(smtpServerCredential.test({ ...mail.credential, password: "wrong" }, ctx)).rejects.toThrow(
      `the SMTP server 127.0.0.1:${mail.port} refused the sign-in as "alerts"`,
    );
    await expect(telegramBotCredential.test(api.credentials["telegram.bot"], ctx)).resolves.toBe("Signed in as the bot @streamware_alerts_bot");
    expect(() => telegramBotCredential.parse({ token: "not a token" })).toThrow(/bot token looks like/);
  });
});
