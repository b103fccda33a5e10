// What the chaos flows' steps did, seen from outside: an HTTP server their request steps call, and an MQTT
// subscriber for what they publish. A step run again (its worker died after the call, before its end was stored)
// calls twice with the same idempotency key, or publishes its run id twice; the database cannot tell that.
import http from "node:http";
import mqtt from "mqtt";

/** Counts calls by key; `repeats()` is how many calls came again for a key already seen. */
function tally() {
  const calls = new Map();
  return {
    add(key) {
      calls.set(key, (calls.get(key) ?? 0) + 1);
    },
    /** Calls beyond the first, of the keys that `belongs` accepts (one scenario's runs). */
    repeats(belongs = () => true) {
      let extra = 0;
      for (const [key, n] of calls) if (n > 1 && belongs(key)) extra += n - 1;
      return extra;
    },
    /** The distinct keys seen, of those `belongs` accepts. */
    distinct(belongs = () => true) {
      let n = 0;
      for (const key of calls.keys()) if (belongs(key)) n++;
      return n;
    },
  };
}

/**
 * `POST /step?run=<id>` answers after `delayMs` (so that steps are in flight when a worker dies); `GET /blob` answers
 * `blobBytes` bytes. Both count their calls by the `Idempotency-Key` the HTTP request node sends, which stays the same
 * when a step runs again; the run id is the key's first part.
 */
export async function startWitnessServer({ delayMs, blobBytes }) {
  const calls = tally();
  const blob = Buffer.alloc(blobBytes, 7);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://witness");
    const run = url.searchParams.get("run") ?? "";
    calls.add(`${run} ${req.headers["idempotency-key"] ?? ""}`);
    req.resume();
    if (url.pathname === "/blob") {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": blob.length });
      res.end(blob);
      return;
    }
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true }));
    }, delayMs);
  });
  server.keepAliveTimeout = 10_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    repeatsOf: (runIds) => calls.repeats((key) => runIds.has(key.split(" ")[0])),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Subscribes to `topic` (QoS 1) and counts messages by payload, the publishing run's id. */
export async function startMqttWitness({ url, topic }) {
  const messages = tally();
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 200, connectTimeout: 2000 });
  client.on("message", (_topic, payload) => messages.add(payload.toString("utf8")));
  // A broker restarted without persistence forgets subscriptions: subscribe again on every connect.
  client.on("connect", () => void client.subscribeAsync(topic, { qos: 1 }).catch(() => {}));
  client.on("error", () => {});
  await client.subscribeAsync(topic, { qos: 1 });
  return {
    repeatsOf: (runIds) => messages.repeats((key) => runIds.has(key)),
    receivedOf: (runIds) => messages.distinct((key) => runIds.has(key)),
    close: () => client.endAsync(true),
  };
}
