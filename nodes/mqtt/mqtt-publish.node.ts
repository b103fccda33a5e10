import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { NodeExternalError } from "../_kit/errors";
import { brokerLabel, connectBroker, qosField, readBroker, topicNameProblem } from "./connection";

export const mqttPublishConfig = z.object({
  topic: z
    .string()
    .superRefine((topic, ctx) => {
      const problem = topicNameProblem(topic);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta({ title: "Topic", description: "Where to publish; no + or # wildcards.", ...ui({ expression: true, placeholder: "home/{{ room }}/light" }) }),
  payload: z
    .json()
    .optional()
    .meta({
      title: "Payload",
      description: "Text is sent as written, anything else as JSON. Empty: the item's JSON.",
      ...ui({ widget: "json", expression: true, placeholder: "{{ $json }}" }),
    }),
  qos: qosField,
  retain: z.boolean().default(false).meta({ title: "Retain", description: "The broker keeps the last retained message of a topic for new subscribers." }),
});

/** Publishes one message per input item and passes the items on; QoS 1 and 2 wait for the broker's acknowledgement. */
export const mqttPublishNode = defineNode({
  type: "mqtt.publish",
  version: 1,
  name: "MQTT publish",
  description: "Publishes a message to an MQTT topic for each item.",
  category: "messaging",
  icon: "send",
  credential: { type: "mqtt.broker", required: true },
  config: mqttPublishConfig,
  async execute({ input, ctx }) {
    const broker = readBroker(ctx.credentials, ctx.node.name);
    const client = await connectBroker({ broker, http: ctx.http, signal: ctx.signal, logger: ctx.logger, reconnect: false });
    const abort = () => client.end(true);
    ctx.signal.addEventListener("abort", abort, { once: true });
    // Without reconnecting, a publish the broker never acknowledged (it went away meanwhile) would wait for ever.
    const closed = new Promise<never>((_resolve, reject) => {
      client.once("close", () => reject(new Error("the connection closed before the broker acknowledged the message")));
    });
    closed.catch(() => {});
    try {
      for await (const { item, index, config } of eachItem({ input, ctx, evenIfEmpty: true })) {
        const value = config.payload === undefined ? item.json : config.payload;
        const payload = typeof value === "string" ? value : JSON.stringify(value);
        try {
          await Promise.race([client.publishAsync(config.topic, payload, { qos: config.qos, retain: config.retain }), closed]);
        } catch (err) {
          if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : err;
          throw new NodeExternalError(`Publishing to "${config.topic}" on ${brokerLabel(broker)} failed: ${(err as Error).message}`, { cause: err });
        }
        if (input.length > 1) ctx.progress({ percent: Math.round(((index + 1) / input.length) * 100), message: `${index + 1} of ${input.length} published` });
      }
    } finally {
      ctx.signal.removeEventListener("abort", abort);
      // A graceful end waits for acknowledgements, which a connection that is gone never brings.
      await client.endAsync(!client.connected);
    }
    return input;
  },
});
