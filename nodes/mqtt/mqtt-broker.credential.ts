import { defineCredential } from "../_kit/define-credential";
import { brokerFields, brokerLabel, connectBroker } from "./connection";

const VERSION_TOPIC = "$SYS/broker/version";
const VERSION_WAIT_MS = 1000;

export const mqttBrokerCredential = defineCredential({
  type: "mqtt.broker",
  name: "MQTT broker",
  description: "An MQTT broker (Mosquitto, EMQX, HiveMQ, …) that MQTT nodes publish to and subscribe on.",
  fields: brokerFields,
  secretFields: ["password"],
  async test({ data, ctx }) {
    const client = await connectBroker({ broker: data, http: ctx.http, signal: ctx.signal, reconnect: false });
    try {
      // Brokers that publish $SYS topics say what they are; others are named by their address alone.
      const version = await new Promise<string | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), VERSION_WAIT_MS);
        client.on("message", (topic, payload) => {
          if (topic !== VERSION_TOPIC) return;
          clearTimeout(timer);
          resolve(payload.toString("utf8"));
        });
        client.subscribe(VERSION_TOPIC, (err) => {
          if (err) {
            clearTimeout(timer);
            resolve(null);
          }
        });
      });
      return `Connected to ${brokerLabel(data)}${version ? ` (${version})` : ""} as ${client.options.clientId}.`;
    } finally {
      await client.endAsync();
    }
  },
});
