import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import mqtt, { type MqttClient } from "mqtt";

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
  /** Kills the broker (SIGKILL: no goodbye to its clients) and waits for it to be gone. */
  kill(): Promise<void>;
}

export async function startMosquitto(port?: number): Promise<OwnBroker> {
  const binary = existsSync("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn(binary, ["-p", String(chosen)], { stdio: ["ignore", "ignore", "pipe"] });
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
    url: `mqtt://127.0.0.1:${chosen}`,
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
