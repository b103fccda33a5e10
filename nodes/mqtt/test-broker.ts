import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import mqtt, { type MqttClient } from "mqtt";

const exec = promisify(execFile);

/** The shared test broker: TEST_MQTT_URL, else the local default. */
export const testMqttUrl = process.env.TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883";

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A Mosquitto process of the test's own on a port of its choosing, to stop and start again. */
export interface OwnBroker {
  port: number;
  url: string;
  /** A plain client of the test's own, connected to this broker (trusting its CA when it speaks TLS). */
  client(): Promise<MqttClient>;
  /** Kills the broker (SIGKILL: no goodbye to its clients) and waits for it to be gone. */
  kill(): Promise<void>;
}

/** A throwaway certificate authority and a server certificate it signed, as files and the CA's PEM text. */
export interface TestCertificates {
  dir: string;
  /** The CA's certificate, PEM: what a credential's "CA certificate" field takes. */
  ca: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Makes a CA and a server certificate it signed for `subjectAltNames` (127.0.0.1 unless told) with openssl, into `dir`. */
export async function makeTestCertificates({ dir, subjectAltNames = ["IP:127.0.0.1"] }: { dir: string; subjectAltNames?: string[] }): Promise<TestCertificates> {
  const file = (name: string) => path.join(dir, name);
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await exec("openssl", ["req", "-x509", ...key, "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "2", "-subj", `/CN=Streamware test CA ${path.basename(dir)}`]);
  await exec("openssl", ["req", ...key, "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", "/CN=Streamware test broker"]);
  await writeFile(file("server.ext"), `subjectAltName=${subjectAltNames.join(",")}\n`);
  await exec("openssl", ["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", file("server.ext"), "-out", file("server.crt")]);
  return { dir, ca: await readFile(file("ca.crt"), "utf8"), caFile: file("ca.crt"), certFile: file("server.crt"), keyFile: file("server.key") };
}

export async function startMosquitto(port?: number): Promise<OwnBroker> {
  const chosen = port ?? (await freePort());
  return launch({ port: chosen, args: ["-p", String(chosen)], url: `mqtt://127.0.0.1:${chosen}` });
}

/** Mosquitto with one TLS listener on 127.0.0.1 (mqtts://), its certificate signed by `certificates`' CA. */
export async function startTlsMosquitto({ certificates, port }: { certificates: TestCertificates; port?: number }): Promise<OwnBroker> {
  const chosen = port ?? (await freePort());
  const conf = path.join(certificates.dir, `mosquitto-${chosen}.conf`);
  await writeFile(
    conf,
    [
      `listener ${chosen} 127.0.0.1`,
      `cafile ${certificates.caFile}`,
      `certfile ${certificates.certFile}`,
      `keyfile ${certificates.keyFile}`,
      "allow_anonymous true",
      "persistence false",
      // Started as root, Mosquitto would switch to its own user, which cannot read the test's key.
      `user ${os.userInfo().username}`,
      "",
    ].join("\n"),
  );
  return launch({ port: chosen, args: ["-c", conf], url: `mqtts://127.0.0.1:${chosen}`, ca: certificates.ca });
}

async function launch({ port: chosen, args, url, ca }: { port: number; args: string[]; url: string; ca?: string }): Promise<OwnBroker> {
  const binary = existsSync("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
  const child: ChildProcess = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; !(await accepts(chosen)); i++) {
    if (gone || i > 100) throw new Error(`mosquitto did not start on port ${chosen}:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port: chosen,
    url,
    client: () => mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ca }),
    async kill() {
      if (!gone) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** A plain client of the test's own, connected, for publishing to or watching what nodes do. */
export async function testClient(url = testMqttUrl): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 });
}
