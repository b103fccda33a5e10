import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { MqttClient } from "mqtt";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../../runner/http-client";
import { closeTestServers, startTestServer } from "../_kit/test-http-server";
import type { Listener } from "../_kit/define-node";
import { NodeConfigError, NodeExternalError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { MemoryKeyValueStore, runNode, until } from "../../runner/node-testing";
import { topicFilterProblem, topicNameProblem } from "./connection";
import { mqttBrokerCredential } from "./mqtt-broker.credential";
import { mqttPublishNode } from "./mqtt-publish.node";
import { mqttTriggerConfig, mqttTriggerNode } from "./mqtt-trigger.node";
import { freePort, makeTestCertificates, startMosquitto, startTlsMosquitto, testClient, testMqttUrl, type OwnBroker, type TestCertificates } from "./test-broker";

const loopback = createHttpClient({ allow: ["127.0.0.1"] });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function watch(topic: string, url = testMqttUrl): Promise<{ client: MqttClient; messages: { topic: string; payload: string; retain: boolean }[] }> {
  const client = await testClient(url);
  cleanups.push(() => client.endAsync(true));
  const messages: { topic: string; payload: string; retain: boolean }[] = [];
  client.on("message", (t, payload, packet) => messages.push({ topic: t, payload: payload.toString(), retain: packet.retain }));
  await client.subscribeAsync(topic, { qos: 1 });
  return { client, messages };
}

/** Starts the trigger node's listener as the runtime would, collecting what it emits. */
async function listen(config: Record<string, unknown>, credentials: Record<string, string> = { url: testMqttUrl }) {
  const emitted: Item[][] = [];
  const controller = new AbortController();
  const listener: Listener = await mqttTriggerNode.trigger!.listen!({
    config: mqttTriggerConfig.parse(config),
    credentials,
    emit: async (items) => void emitted.push(items),
    signal: controller.signal,
    logger: pino({ level: "silent" }),
    kv: new MemoryKeyValueStore(),
    http: loopback,
    flow: { id: "flow", workspaceId: "ws" },
    node: { id: "mqtt", name: "MQTT trigger" },
  });
  cleanups.push(() => listener.close());
  return { emitted, listener, controller };
}

describe("topic names and filters", () => {
  it("accepts filters with whole-level wildcards and refuses the rest, saying why", () => {
    for (const ok of ["a", "a/b", "+", "#", "a/+/c", "a/#", "+/+", "/a", "a//b", "$SYS/#"]) expect(topicFilterProblem(ok)).toBeNull();
    expect(topicFilterProblem("a/#/b")).toBe('"a/#/b" is not a valid topic filter: "#" must be a whole level and the last one, as in "sensors/#"');
    expect(topicFilterProblem("a+")).toBe('"a+" is not a valid topic filter: "+" must be a whole level, as in "sensors/+/temperature"');
    expect(topicFilterProblem("a/b#")).toContain('"#" must be a whole level');
    expect(topicFilterProblem("")).toBe("a topic filter cannot be empty");
    expect(topicNameProblem("a/+/b")).toContain("wildcards for subscriptions only");
    expect(topicNameProblem("a/b")).toBeNull();
  });

  it("refuses a trigger config with an invalid filter, naming the filter", () => {
    const parsed = mqttTriggerConfig.safeParse({ topics: ["ok/#", "a/#/b"] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ["topics", 1], message: expect.stringContaining('"a/#/b" is not a valid topic filter') });
    expect(mqttTriggerConfig.safeParse({ topics: [] }).error!.issues[0]!.message).toContain("at least one topic filter");
  });
});

describe("MQTT publish, against Mosquitto", () => {
  it("publishes each item: text as written, objects as JSON, with QoS and retain", async () => {
    const base = `streamware-test/${randomUUID()}`;
    const { messages } = await watch(`${base}/#`);
    const result = await runNode(mqttPublishNode, {
      config: { topic: `${base}/{{ room }}`, payload: "{{ $json }}", qos: 1 },
      credentials: { url: testMqttUrl },
      allowHosts: ["127.0.0.1"],
      input: [{ json: { room: "kitchen", on: true } }, { json: { room: "hall", on: false } }],
    });
    expect(result.items).toHaveLength(2);
    await until(() => messages.length === 2, "two messages");
    expect(messages.map((m) => [m.topic, JSON.parse(m.payload)])).toEqual([
      [`${base}/kitchen`, { room: "kitchen", on: true }],
      [`${base}/hall`, { room: "hall", on: false }],
    ]);

    await runNode(mqttPublishNode, { config: { topic: `${base}/note`, payload: "plain {{ word }}", qos: 2, retain: true }, credentials: { url: testMqttUrl }, allowHosts: ["127.0.0.1"], input: [{ json: { word: "text" } }] });
    // A subscriber that comes later still gets the retained message.
    const late = await watch(`${base}/note`);
    const retained = await until(() => late.messages[0], "the retained message");
    expect(retained).toMatchObject({ payload: "plain text", retain: true });
    await runNode(mqttPublishNode, { config: { topic: `${base}/note`, payload: "", retain: true }, credentials: { url: testMqttUrl }, allowHosts: ["127.0.0.1"], input: [{ json: {} }] });
  });

  it("refuses a wildcard topic before connecting", async () => {
    const err = await runNode(mqttPublishNode, { config: { topic: "a/+/b" }, credentials: { url: testMqttUrl }, allowHosts: ["127.0.0.1"], input: [{ json: {} }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeConfigError);
    expect((err as Error).message).toContain("wildcards for subscriptions only");
  });

  it("says clearly that a broker is unreachable, without hanging", async () => {
    const port = await freePort();
    const err = await runNode(mqttPublishNode, { config: { topic: "a" }, credentials: { url: `mqtt://127.0.0.1:${port}` }, allowHosts: ["127.0.0.1"], input: [{ json: {} }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeExternalError);
    expect((err as Error).message).toMatch(
      new RegExp(`^Could not reach the MQTT broker at mqtt://127\\.0\\.0\\.1:${port} \\(connection refused\\); check the address and port, and that the service is running \\(.*ECONNREFUSED.*\\)$`),
    );
  });

  it("fails, retryably, when the broker goes away before acknowledging a message, instead of waiting for ever", async () => {
    // A broker that accepts the connection (MQTT 5 CONNACK) and drops it on the first PUBLISH, unacknowledged.
    const broker = net.createServer((socket) => {
      socket.on("data", (data) => {
        if (data[0]! >> 4 === 1) socket.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]));
        else if (data[0]! >> 4 === 3) socket.destroy();
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => broker.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => broker.close(resolve)));
    const url = `mqtt://127.0.0.1:${(broker.address() as net.AddressInfo).port}`;
    const err = await runNode(mqttPublishNode, { config: { topic: "a", qos: 1 }, credentials: { url }, allowHosts: ["127.0.0.1"], input: [{ json: {} }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err).toMatchObject({ retryable: true, message: `Publishing to "a" on ${url} failed: the connection closed before the broker acknowledged the message` });
  });

  it("keeps to the address rules of HTTP requests: loopback is refused unless allowed", async () => {
    const err = await runNode(mqttPublishNode, { config: { topic: "a" }, credentials: { url: testMqttUrl }, input: [{ json: {} }] }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/127\.0\.0\.1/);
    expect((err as Error).message).not.toContain("Could not connect");
  });

  it("needs a credential, and a broker URL in it", async () => {
    const none = await runNode(mqttPublishNode, { config: { topic: "a" }, allowHosts: ["127.0.0.1"] }).catch((e: unknown) => e);
    expect((none as Error).message).toContain("needs an MQTT broker credential");
    const bad = await runNode(mqttPublishNode, { config: { topic: "a" }, credentials: { url: "http://127.0.0.1:1883" }, allowHosts: ["127.0.0.1"] }).catch((e: unknown) => e);
    expect((bad as Error).message).toContain('must be a broker URL such as "mqtt://broker.local:1883"');
  });
});

describe("MQTT broker credential", () => {
  it("tests by connecting and says which broker answered", async () => {
    const message = await mqttBrokerCredential.test({ url: testMqttUrl, clientIdPrefix: "probe" }, { http: loopback, signal: new AbortController().signal });
    expect(message).toMatch(/^Connected to mqtt:\/\/127\.0\.0\.1:\d+ \(mosquitto version [\d.]+\) as probe-/);
  });

  it("fails the test with what to fix when nothing listens there", async () => {
    const port = await freePort();
    const err = await mqttBrokerCredential.test({ url: `mqtt://127.0.0.1:${port}` }, { http: loopback, signal: new AbortController().signal }).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toContain(`Could not reach the MQTT broker at mqtt://127.0.0.1:${port} (connection refused)`);
  });

  it("refuses data that is not a broker, naming the field", () => {
    expect(() => mqttBrokerCredential.parse({ url: "mqtt://x:1883", clientIdPrefix: "has space" })).toThrow(/clientIdPrefix: letters, digits/);
    expect(() => mqttBrokerCredential.parse({ url: "ftp://x" })).toThrow(/url: must be a broker URL/);
  });
});

describe("MQTT trigger listener", () => {
  it("emits one item per message: JSON parsed, text kept, topic and properties along", async () => {
    const base = `streamware-test/${randomUUID()}`;
    const { emitted } = await listen({ topics: [`${base}/+/temp`, `${base}/raw/#`], qos: 1 });
    const client = await testClient();
    cleanups.push(() => client.endAsync(true));
    await client.publishAsync(`${base}/kitchen/temp`, JSON.stringify({ c: 21.5 }), { qos: 1, properties: { contentType: "application/json", userProperties: { unit: "C" } } });
    await client.publishAsync(`${base}/raw/a/b`, "not json {", { qos: 0 });
    await client.publishAsync(`${base}/kitchen/humidity`, "ignored", { qos: 0 });
    await until(() => emitted.length === 2, "two emitted messages");
    expect(emitted[0]).toEqual([{ json: expect.objectContaining({ topic: `${base}/kitchen/temp`, payload: { c: 21.5 }, qos: 1, retain: false, properties: { contentType: "application/json", userProperties: { unit: "C" } } }) }]);
    expect(emitted[1]![0]!.json).toMatchObject({ topic: `${base}/raw/a/b`, payload: "not json {", qos: 0 });
  });

  it("refuses to start when the broker is unreachable, with a clear error, and does not hang", async () => {
    const port = await freePort();
    const err = await listen({ topics: ["a/#"] }, { url: `mqtt://127.0.0.1:${port}` }).then(() => null, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err?.message).toContain(`Could not reach the MQTT broker at mqtt://127.0.0.1:${port} (connection refused)`);
  });

  describe("with a broker of its own", () => {
    let broker: OwnBroker | undefined;
    afterEach(() => broker?.kill());

    it("subscribes again after the broker is killed and started again on the same port", async () => {
      broker = await startMosquitto();
      const { emitted } = await listen({ topics: ["plant/+/state"], qos: 1 }, { url: broker.url });
      const before = await testClient(broker.url);
      await before.publishAsync("plant/press/state", "before", { qos: 1 });
      await until(() => emitted.length === 1, "the message before the restart");
      await before.endAsync(true);

      await broker.kill();
      broker = await startMosquitto(broker.port);
      // The new broker knows no subscriptions; only the trigger's own resubscription brings its messages back.
      const after = await testClient(broker.url);
      cleanups.push(() => after.endAsync(true));
      let sent = 0;
      await until(
        () => {
          if (emitted.length >= 2) return true;
          void after.publishAsync("plant/press/state", `after ${++sent}`, { qos: 1 });
          return false;
        },
        "a message after the restart",
      );
      expect(emitted.at(-1)![0]!.json).toMatchObject({ topic: "plant/press/state", payload: expect.stringMatching(/^after \d+$/) });
    });
  });
});

describe("over TLS (mqtts://), with a broker of its own", () => {
  let dir: string;
  let certificates: TestCertificates;
  /** Another CA, whose broker's certificate names a host other than 127.0.0.1. */
  let other: TestCertificates;
  let broker: OwnBroker;
  let misnamed: OwnBroker;
  const publish = (credentials: Record<string, string>) =>
    runNode(mqttPublishNode, { config: { topic: "streamware-test/tls", payload: "x" }, credentials, allowHosts: ["127.0.0.1"], input: [{ json: {} }] }).then(
      () => null,
      (e: unknown) => e as Error,
    );
  const probe = (data: Record<string, unknown>) =>
    mqttBrokerCredential.test(data, { http: loopback, signal: new AbortController().signal }).then(
      (message) => ({ message, err: null }),
      (e: unknown) => ({ message: null, err: e as Error }),
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "streamware-mqtt-tls-"));
    await mkdir(path.join(dir, "own"));
    await mkdir(path.join(dir, "other"));
    certificates = await makeTestCertificates({ dir: path.join(dir, "own") });
    other = await makeTestCertificates({ dir: path.join(dir, "other"), subjectAltNames: ["DNS:broker.example"] });
    broker = await startTlsMosquitto({ certificates });
    misnamed = await startTlsMosquitto({ certificates: other });
  }, 60_000);

  afterAll(async () => {
    await broker?.kill();
    await misnamed?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it("publishes and triggers with the broker's CA in the credential, and the credential's test says what answered", async () => {
    const base = `streamware-test/${randomUUID()}`;
    const watcher = await broker.client();
    cleanups.push(() => watcher.endAsync(true));
    const messages: string[] = [];
    watcher.on("message", (_topic, payload) => messages.push(payload.toString()));
    await watcher.subscribeAsync(`${base}/out`, { qos: 1 });

    const credentials = { url: broker.url, ca: certificates.ca };
    await runNode(mqttPublishNode, { config: { topic: `${base}/out`, payload: "{{ $json }}", qos: 1 }, credentials, allowHosts: ["127.0.0.1"], input: [{ json: { on: true } }] });
    await until(() => messages.length === 1, "the message published over TLS");
    expect(JSON.parse(messages[0]!)).toEqual({ on: true });

    const { emitted } = await listen({ topics: [`${base}/in`], qos: 1 }, credentials);
    await watcher.publishAsync(`${base}/in`, JSON.stringify({ c: 21 }), { qos: 1 });
    await until(() => emitted.length === 1, "the trigger's message over TLS");
    expect(emitted[0]![0]!.json).toMatchObject({ topic: `${base}/in`, payload: { c: 21 } });

    const { message } = await probe({ ...credentials, clientIdPrefix: "tls" });
    expect(message).toMatch(new RegExp(`^Connected to mqtts://127\\.0\\.0\\.1:${broker.port} \\(mosquitto version [\\d.]+\\) as tls-`));
  });

  it("refuses a certificate no trusted CA signed, saying so and what to do: publish, trigger and the credential's test", async () => {
    const untrusted = new RegExp(
      `^The MQTT broker at mqtts://127\\.0\\.0\\.1:${broker.port} presented a TLS certificate that is not trusted \\(.+\\); if a private CA signed it, paste that CA's certificate \\(PEM\\) into the credential's "CA certificate"\\. Turn off "Check the broker's certificate" only for a test broker$`,
    );
    const published = await publish({ url: broker.url });
    expect(published).toBeInstanceOf(NodeConfigError);
    expect(published!.message).toMatch(untrusted);

    const listening = await listen({ topics: ["a/#"] }, { url: broker.url }).then(() => null, (e: unknown) => e as Error);
    expect(listening).toBeInstanceOf(NodeConfigError);
    expect(listening!.message).toMatch(untrusted);

    const tested = await probe({ url: broker.url });
    expect(tested.err).toBeInstanceOf(NodeConfigError);
    expect(tested.err!.message).toMatch(untrusted);

    // Another CA's certificate in the credential does not make this broker's certificate trusted.
    const wrongCa = await publish({ url: broker.url, ca: other.ca });
    expect(wrongCa).toBeInstanceOf(NodeConfigError);
    expect(wrongCa!.message).toContain("is not trusted");
    expect(wrongCa!.message).toContain("the CA certificate in the credential did not sign it; paste the certificate of the CA that did");
  });

  it("connects without the CA only when checking the certificate is turned off", async () => {
    // Credentials reach nodes with every value a string.
    expect(await publish({ url: broker.url, rejectUnauthorized: "false" })).toBeNull();
    const { message } = await probe({ url: broker.url, rejectUnauthorized: false });
    expect(message).toMatch(/^Connected to mqtts:\/\/127\.0\.0\.1:\d+ \(mosquitto version/);
  });

  it("says when the certificate is for another name, and when the port does not speak TLS", async () => {
    const misnamedErr = await publish({ url: misnamed.url, ca: other.ca });
    expect(misnamedErr).toBeInstanceOf(NodeConfigError);
    expect(misnamedErr!.message).toMatch(
      new RegExp(`^The MQTT broker at mqtts://127\\.0\\.0\\.1:${misnamed.port} presented a TLS certificate for another name \\(.*127\\.0\\.0\\.1.*\\); use a host name the certificate is for in the broker URL$`),
    );

    // A plain MQTT broker drops the TLS hello; an HTTP server answers it in plain text.
    const plain = new URL(testMqttUrl).host;
    const http = (await startTestServer((_req, res) => res.end())).url.replace("http://", "");
    for (const host of [plain, http]) {
      const notTls = await publish({ url: `mqtts://${host}` });
      expect(notTls).toBeInstanceOf(NodeExternalError);
      expect(notTls!.message).toMatch(new RegExp(`^Could not reach the MQTT broker at mqtts://${host.replace(/\./g, "\\.")} \\(.+\\); check that the port speaks TLS, or use mqtt:// for a plain one \\(.+\\)$`));
    }
    await closeTestServers();
  });

  it("refuses a CA field that is not a PEM certificate, naming the field", async () => {
    expect(() => mqttBrokerCredential.parse({ url: broker.url, ca: "MIIB…not pasted whole" })).toThrow(/ca: must be a PEM certificate from -----BEGIN CERTIFICATE-----/);
    expect(mqttBrokerCredential.parse({ url: broker.url, ca: "" })).toMatchObject({ ca: "" });
    const err = await publish({ url: broker.url, ca: "not a certificate" });
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err!.message).toContain("the MQTT broker credential is not filled in correctly: ca: must be a PEM certificate");
  });
});
