import type { NodeDefinition } from "./_kit/define-node";
import { codeNode } from "./code/code.node";
import { delayNode } from "./delay/delay.node";
import { executeFlowNode } from "./execute-flow/execute-flow.node";
import { httpRequestNode } from "./http-request/http-request.node";
import { ifNode } from "./if/if.node";
import { manualTriggerNode } from "./manual-trigger/manual-trigger.node";
import { mergeNode } from "./merge/merge.node";
import { respondToWebhookNode } from "./respond-to-webhook/respond-to-webhook.node";
import { scheduleNode } from "./schedule/schedule.node";
import { setNode } from "./set/set.node";
import { switchNode } from "./switch/switch.node";
import { webhookNode } from "./webhook/webhook.node";

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
  setNode,
  mergeNode,
  delayNode,
  executeFlowNode,
] as NodeDefinition[];

export const nodeRegistry: ReadonlyMap<string, NodeDefinition> = new Map(definitions.map((d) => [d.type, d]));
