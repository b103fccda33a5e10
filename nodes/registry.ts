import type { CredentialDefinition } from "./_kit/define-credential";
import type { NodeDefinition } from "./_kit/define-node";
import { alertNode } from "./alert/alert.node";
import { discordWebhookCredential, slackWebhookCredential, teamsWebhookCredential } from "./alert/incoming-webhook.credential";
import { smtpServerCredential } from "./alert/smtp-server.credential";
import { telegramBotCredential } from "./alert/telegram-bot.credential";
import { abGoalNode } from "./ab-split/ab-goal.node";
import { abSplitNode } from "./ab-split/ab-split.node";
import { codeNode } from "./code/code.node";
import { coingeckoCredential } from "./crypto-price/coingecko.credential";
import { cryptoPriceNode } from "./crypto-price/crypto-price.node";
import { dashboardPublishNode } from "./dashboard-publish/dashboard-publish.node";
import { delayNode } from "./delay/delay.node";
import { executeFlowNode } from "./execute-flow/execute-flow.node";
import { feedTriggerNode } from "./feed/feed-trigger.node";
import { headerAuthCredential } from "./http-request/header-auth.credential";
import { httpRequestNode } from "./http-request/http-request.node";
import { ifNode } from "./if/if.node";
import { llmNode } from "./llm/llm.node";
import { ollamaApiCredential } from "./llm/ollama-api.credential";
import { openAIApiCredential } from "./llm/openai-api.credential";
import { manualTriggerNode } from "./manual-trigger/manual-trigger.node";
import { mergeNode } from "./merge/merge.node";
import { mqttBrokerCredential } from "./mqtt/mqtt-broker.credential";
import { mqttPublishNode } from "./mqtt/mqtt-publish.node";
import { mqttTriggerNode } from "./mqtt/mqtt-trigger.node";
import { placeholderNode } from "./placeholder/placeholder.node";
import { respondToWebhookNode } from "./respond-to-webhook/respond-to-webhook.node";
import { scheduleNode } from "./schedule/schedule.node";
import { setNode } from "./set/set.node";
import { switchNode } from "./switch/switch.node";
import { transcodeNode } from "./transcode/transcode.node";
import { voiceTranscribeNode } from "./voice/voice-transcribe.node";
import { voiceTriggerNode } from "./voice/voice-trigger.node";
import { webhookSecretCredential } from "./webhook/webhook-secret.credential";
import { webhookNode } from "./webhook/webhook.node";
import { weatherNode } from "./weather/weather.node";

/** Every node type this server knows, listed explicitly: a node that is not here does not exist. */
const definitions: NodeDefinition[] = [
  manualTriggerNode,
  webhookNode,
  scheduleNode,
  respondToWebhookNode,
  httpRequestNode,
  codeNode,
  ifNode,
  switchNode,
  abSplitNode,
  abGoalNode,
  dashboardPublishNode,
  setNode,
  mergeNode,
  delayNode,
  executeFlowNode,
  transcodeNode,
  llmNode,
  mqttTriggerNode,
  mqttPublishNode,
  feedTriggerNode,
  weatherNode,
  cryptoPriceNode,
  alertNode,
  voiceTriggerNode,
  voiceTranscribeNode,
  placeholderNode,
] as NodeDefinition[];

export const nodeRegistry: ReadonlyMap<string, NodeDefinition> = new Map(definitions.map((d) => [d.type, d]));

/** Every credential type, listed explicitly; a credential is saved only as one of these. */
const credentialDefinitions: CredentialDefinition[] = [headerAuthCredential, webhookSecretCredential, mqttBrokerCredential, coingeckoCredential, openAIApiCredential, ollamaApiCredential, smtpServerCredential, telegramBotCredential, slackWebhookCredential, discordWebhookCredential, teamsWebhookCredential];

export const credentialRegistry: ReadonlyMap<string, CredentialDefinition> = new Map(credentialDefinitions.map((d) => [d.type, d]));
