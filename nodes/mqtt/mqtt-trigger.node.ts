import type { IPublishPacket } from "mqtt";
import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import { NodeConfigError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { brokerLabel, connectBroker, qosField, readBroker, topicFilterProblem } from "./connection";

export const mqttTriggerConfig = z.object({
  topics: z
    .array(
      z.string().superRefine((filter, ctx) => {
        const problem = topicFilterProblem(filter);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    )
    .min(1, "subscribe to at least one topic filter, such as \"sensors/#\"")
    .meta({ title: "Topic filters", description: "+ matches one level, # every level below (last only): sensors/+/temperature, home/#.", ...ui({ placeholder: "sensors/#" }) }),
  qos: qosField,
  parseJson: z.boolean().default(true).meta({ title: "Parse JSON payloads", description: "JSON payloads become data; anything else stays text." }),
});

/** MQTT 5 packet properties as JSON: binary ones (correlation data) as base64. */
function propertiesOf(packet: IPublishPacket): Record<string, unknown> | undefined {
  if (!packet.properties) return undefined;
  return Object.fromEntries(Object.entries(packet.properties).map(([key, value]) => [key, Buffer.isBuffer(value) ? value.toString("base64") : value]));
}

export function messageItem(topic: string, payload: Buffer, packet: IPublishPacket, parseJson: boolean): Item {
  const text = payload.toString("utf8");
  const json: Record<string, unknown> = { topic, payload: text, qos: packet.qos, retain: packet.retain, dup: packet.dup, receivedAt: new Date().toISOString() };
  if (!Buffer.from(text, "utf8").equals(payload)) {
    json.payload = null;
    json.payloadBase64 = payload.toString("base64");
  } else if (parseJson && text.length > 0) {
    try {
      json.payload = JSON.parse(text) as unknown;
    } catch {
      // Not JSON: the text stays as it is.
    }
  }
  const properties = propertiesOf(packet);
  if (properties) json.properties = properties;
  return { json };
}

/**
 * Starts a run for each message on the topic filters. One connection per active flow, held by one process; the
 * client reconnects by itself after the broker goes away and subscribes again.
 */
export const mqttTriggerNode = defineNode({
  type: "mqtt.trigger",
  version: 1,
  name: "MQTT trigger",
  description: "Starts the flow for each message published on MQTT topics.",
  category: "trigger",
  icon: "radio",
  credential: { type: "mqtt.broker", required: true },
  literalFields: Object.keys(mqttTriggerConfig.shape),
  config: mqttTriggerConfig,
  trigger: {
    kind: "mqtt",
    async listen({ config, credentials, emit, signal, logger, http, node }) {
      const broker = readBroker(credentials, node.name);
      const client = await connectBroker({ broker, http, signal, logger, reconnect: true });
      let granted;
      try {
        granted = await client.subscribeAsync(Object.fromEntries(config.topics.map((topic) => [topic, { qos: config.qos }])));
      } catch (err) {
        await client.endAsync(true);
        throw new NodeConfigError(`Subscribing to ${config.topics.join(", ")} on ${brokerLabel(broker)} failed: ${(err as Error).message}`, { cause: err });
      }
      const refused = granted.filter((g) => g.qos >= 128);
      if (refused.length) {
        await client.endAsync(true);
        throw new NodeConfigError(
          `The MQTT broker at ${brokerLabel(broker)} refused the subscription to ${refused.map((g) => `"${g.topic}"`).join(", ")}; check its access rules for this user`,
        );
      }
      client.on("message", (topic, payload, packet) => {
        emit([messageItem(topic, payload, packet, config.parseJson)]).catch((err: unknown) => logger.error({ err, topic }, "an MQTT message could not start a run"));
      });
      client.on("offline", () => logger.warn({ broker: brokerLabel(broker) }, "MQTT broker unreachable; reconnecting"));
      client.on("connect", () => logger.info({ broker: brokerLabel(broker) }, "MQTT connected"));
      return { close: () => client.endAsync(true) };
    },
  },
  async execute({ input }) {
    return input;
  },
});
