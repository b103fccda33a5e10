import { z } from "zod";
import { defineCredential } from "../_kit/define-credential";

/** Whoever holds an incoming-webhook URL can post to the channel, so the URL is kept as a secret. */
const webhookUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: "must be the webhook's full http(s):// address" }).meta({ title: "Webhook URL", examples: [example] });

export const slackWebhookCredential = defineCredential({
  type: "slack.incoming-webhook",
  name: "Slack incoming webhook",
  description: "A Slack app's incoming-webhook URL; messages go to the channel it was made for.",
  fields: z.object({ url: webhookUrl("https://hooks.slack.com/services/T000/B000/XXXX") }),
  secretFields: ["url"],
});

export const discordWebhookCredential = defineCredential({
  type: "discord.webhook",
  name: "Discord webhook",
  description: "A Discord channel webhook URL (channel settings, Integrations, Webhooks).",
  fields: z.object({ url: webhookUrl("https://discord.com/api/webhooks/123/abc") }),
  secretFields: ["url"],
});

export const teamsWebhookCredential = defineCredential({
  type: "teams.incoming-webhook",
  name: "Microsoft Teams webhook",
  description: "A Teams incoming-webhook or Workflows URL that posts cards to a channel.",
  fields: z.object({ url: webhookUrl("https://example.webhook.office.com/webhookb2/…") }),
  secretFields: ["url"],
});
