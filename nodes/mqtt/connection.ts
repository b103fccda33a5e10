import { randomUUID } from "node:crypto";
import net from "node:net";
import type { IClientOptions, MqttClient } from "mqtt";
import { z } from "zod";
import { onFirstUse } from "../_core/on-first-use";
import type { HttpClient, NodeLogger } from "../_kit/context";
import { ui } from "../_kit/define-node";
import { NodeCancelledError, NodeConfigError, NodeExternalError } from "../_kit/errors";
import { networkFailureCode, unreachableError } from "../_kit/network-errors";

export const brokerFields = z.object({
  url: z
    .url({ protocol: /^(mqtts?|wss?)$/, error: 'must be a broker URL such as "mqtt://broker.local:1883" (mqtt://, mqtts://, ws:// or wss://)' })
    .meta({ title: "Broker URL", description: "mqtt:// or mqtts:// (TLS); ws:// or wss:// for MQTT over WebSocket.", ...ui({ placeholder: "mqtt://broker.local:1883" }) }),
  username: z.string().optional().meta({ title: "Username" }),
  password: z.string().optional().meta({ title: "Password" }),
  ca: z
    .string()
    .refine((pem) => pem.trim() === "" || /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(pem), {
      error: "must be a PEM certificate from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----: paste the CA's .crt or .pem file as text",
    })
    .optional()
    .meta({ title: "CA certificate (PEM)", description: "For a broker whose TLS certificate is signed by a private CA.", ...ui({ widget: "textarea", advanced: true }) }),
  rejectUnauthorized: z
    .boolean()
    .default(true)
    .meta({ title: "Check the broker's certificate", description: "Turn off only for a test broker with a self-signed certificate.", ...ui({ advanced: true }) }),
  clientIdPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, "letters, digits, '-' and '_' only, up to 40")
    .default("streamware")
    .meta({ title: "Client id prefix", description: "Each connection's client id is this prefix and a random suffix.", ...ui({ advanced: true }) }),
  protocolVersion: z.enum(["5", "3.1.1"]).default("5").meta({ title: "MQTT version", ...ui({ advanced: true }) }),
});

export type Broker = z.output<typeof brokerFields>;

/** A credential as a node receives it (every value a string) turned back into its fields. */
export function readBroker(data: Record<string, unknown> | null, nodeName: string): Broker {
  if (!data) throw new NodeConfigError(`Node "${nodeName}" needs an MQTT broker credential; pick one in its settings`);
  const flag = data.rejectUnauthorized;
  const parsed = brokerFields.safeParse({ ...data, rejectUnauthorized: typeof flag === "string" ? flag !== "false" : flag });
  if (!parsed.success) throw new NodeConfigError(`Node "${nodeName}": the MQTT broker credential is not filled in correctly: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** The broker's address for messages: never the user name or password a URL may carry. */
export function brokerLabel(broker: Broker): string {
  const url = new URL(broker.url);
  return `${url.protocol}//${url.host}`;
}

export const qosField = z
  .union([z.literal(0), z.literal(1), z.literal(2)])
  .default(0)
  .meta({ title: "QoS", description: "0: at most once, 1: at least once, 2: exactly once." });

/** Why a string is not a topic filter (MQTT 5, 4.7), or null; `+` and `#` each take a whole level, `#` the last. */
export function topicFilterProblem(filter: string): string | null {
  if (filter.length === 0) return "a topic filter cannot be empty";
  if (Buffer.byteLength(filter) > 65_535) return "a topic filter is at most 65535 bytes";
  if (filter.includes("\u0000")) return "a topic filter cannot contain the NUL character";
  const levels = filter.split("/");
  for (const [i, level] of levels.entries()) {
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) {
      return `"${filter}" is not a valid topic filter: "#" must be a whole level and the last one, as in "sensors/#"`;
    }
    if (level.includes("+") && level !== "+") {
      return `"${filter}" is not a valid topic filter: "+" must be a whole level, as in "sensors/+/temperature"`;
    }
  }
  return null;
}

/** Why a string is not a topic to publish to, or null. */
export function topicNameProblem(topic: string): string | null {
  if (topic.length === 0) return "the topic cannot be empty";
  if (Buffer.byteLength(topic) > 65_535) return "a topic is at most 65535 bytes";
  if (topic.includes("\u0000")) return "a topic cannot contain the NUL character";
  if (/[+#]/.test(topic)) return `"${topic}" is not a topic to publish to: "+" and "#" are wildcards for subscriptions only`;
  return null;
}

// CONNACK reason codes that mean the credential is wrong, not the network (MQTT 3.1.1: 4, 5; MQTT 5: 134, 135, 138).
const SIGN_IN_REFUSED = new Set([4, 5, 134, 135, 138]);

// TLS verification failures of a certificate chain that no trusted CA signed (OpenSSL's names, as Node reports them).
const UNTRUSTED = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

function connectError(broker: Broker, err: Error & { code?: string | number }): Error {
  const where = brokerLabel(broker);
  if (typeof err.code === "string" && UNTRUSTED.has(err.code)) {
    const fix = broker.ca
      ? "the CA certificate in the credential did not sign it; paste the certificate of the CA that did"
      : 'if a private CA signed it, paste that CA\'s certificate (PEM) into the credential\'s "CA certificate"';
    return new NodeConfigError(
      `The MQTT broker at ${where} presented a TLS certificate that is not trusted (${err.message}); ${fix}. Turn off "Check the broker's certificate" only for a test broker`,
      { cause: err },
    );
  }
  if (err.code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new NodeConfigError(`The MQTT broker at ${where} presented a TLS certificate for another name (${err.message}); use a host name the certificate is for in the broker URL`, { cause: err });
  }
  if (typeof err.code === "number" && SIGN_IN_REFUSED.has(err.code)) {
    return new NodeConfigError(`The MQTT broker at ${where} refused the sign-in (${err.message}); check the credential's username and password`, { cause: err });
  }
  if (typeof err.code === "number") return new NodeConfigError(`The MQTT broker at ${where} refused the connection: ${err.message}`, { cause: err });
  // A TLS hello to a plain port: Mosquitto drops the connection, other servers answer in plain text.
  const overTls = broker.url.startsWith("mqtts:") || broker.url.startsWith("wss:");
  const code = networkFailureCode(err);
  const plainPort = overTls && code !== undefined && ["ECONNRESET", "EPROTO", "ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG"].includes(code);
  const advice = plainPort ? "check that the port speaks TLS, or use mqtt:// for a plain one" : undefined;
  return (
    unreachableError({ err, target: `the MQTT broker at ${where}`, advice, details: { broker: where } }) ??
    new NodeExternalError(`Could not connect to the MQTT broker at ${where}: ${err.message.trim()}`, { cause: err, details: { broker: where } })
  );
}

/**
 * Connects and waits for the broker's CONNACK; rejects with what to fix when the broker is unreachable, refuses
 * the sign-in, or does not answer within `timeoutMs`. The host must pass the same address rules as HTTP requests.
 * With `reconnect`, the client reconnects (and resubscribes) by itself after a later drop.
 */
// The MQTT client library is loaded by the first connection to a broker.
const mqtt = onFirstUse(async () => (await import("mqtt")).default);

export async function connectBroker(args: {
  broker: Broker;
  http: HttpClient;
  signal: AbortSignal;
  logger?: NodeLogger;
  reconnect: boolean;
  timeoutMs?: number;
}): Promise<MqttClient> {
  const { broker, http, signal, logger, reconnect, timeoutMs = 10_000 } = args;
  if (signal.aborted) throw new NodeCancelledError();
  const url = new URL(broker.url);
  const addresses = await http.checkHost(url.hostname);
  const options: IClientOptions = {
    clientId: `${broker.clientIdPrefix}-${randomUUID().slice(0, 12)}`,
    username: broker.username || undefined,
    password: broker.password || undefined,
    protocolVersion: broker.protocolVersion === "5" ? 5 : 4,
    connectTimeout: timeoutMs,
    reconnectPeriod: reconnect ? 1000 : 0,
    clean: true,
    ca: broker.ca || undefined,
    rejectUnauthorized: broker.rejectUnauthorized,
  };
  // Connect to the address that was checked, so a second DNS answer cannot point elsewhere; WebSocket URLs keep
  // their name for the Host header of brokers behind a proxy.
  if ((url.protocol === "mqtt:" || url.protocol === "mqtts:") && addresses[0]) {
    options.hostname = addresses[0];
    if (!net.isIP(url.hostname.replace(/^\[(.*)\]$/, "$1"))) options.servername = url.hostname;
  }
  const client = (await mqtt.get()).connect(broker.url, options);
  // An 'error' without a listener would throw; after the first connect, errors are reconnects' business.
  client.on("error", (err) => logger?.warn({ err: err.message, broker: brokerLabel(broker) }, "MQTT connection error"));
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
      client.off("connect", connected);
      client.off("error", failed);
      if (!err) return resolve();
      client.end(true);
      reject(err);
    };
    const connected = () => done();
    const failed = (err: Error) => done(connectError(broker, err));
    const abort = () => done(new NodeCancelledError());
    const timer = setTimeout(() => done(new NodeExternalError(`The MQTT broker at ${brokerLabel(broker)} did not answer within ${timeoutMs} ms; check the URL and that it is running`)), timeoutMs);
    client.once("connect", connected);
    client.once("error", failed);
    signal.addEventListener("abort", abort, { once: true });
  });
  return client;
}
