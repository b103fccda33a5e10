// Seeds the chaos suite's database: the benchmark workspace, an MQTT broker credential, and one flow per scenario,
// each answering at once (202 and the run id) and holding one step whose side effect the suite witnesses.
// Usage: node --import tsx bench/chaos/seed.ts   (with DATABASE_URL, STREAMWARE_ENCRYPTION_KEY, CHAOS_WITNESS_URL,
// CHAOS_MQTT_URL, CHAOS_MQTT_TOPIC, and CHAOS_STEP_FLOWS: the scenarios that take the witnessed-step flow, comma-separated).
// Prints each flow's webhook path as JSON.
import { connectDb, dbTargetFromEnv } from "../../server/db/connect";
import { secretBox } from "../../server/crypto";
import { credentialService } from "../../server/services/credential-service";
import { activateFlows, benchWorkspace, flowDocument, hook, setNode, type BenchNode } from "../lib/seed";

const witness = process.env.CHAOS_WITNESS_URL!;
const stepFlowScenarios = process.env.CHAOS_STEP_FLOWS!.split(",");
const broker = "Chaos broker";

/** Calls the witness, which counts each step's calls by the idempotency key the node sends. */
const witnessCall = (what: "step" | "blob"): BenchNode => ({
  id: what === "step" ? "call" : "download",
  type: "core.http-request",
  config:
    what === "step"
      ? { method: "POST", url: `${witness}/step?run={{ $runId }}`, responseFormat: "json" }
      : { method: "GET", url: `${witness}/blob?run={{ $runId }}`, responseFormat: "binary" },
});

const flows: Record<string, unknown> = {
  ...Object.fromEntries(stepFlowScenarios.map((name) => [`chaos-${name}`, flowDocument([hook(`chaos/${name}`, "immediately"), witnessCall("step"), setNode], "all")])),
  // Retried for as long as a short broker outage lasts: 1 + 2 + 4 + 8 s (each ±50%) between five attempts.
  "chaos-mosquitto": flowDocument(
    [
      hook("chaos/mosquitto", "immediately"),
      {
        id: "publish",
        type: "mqtt.publish",
        config: { topic: process.env.CHAOS_MQTT_TOPIC!, payload: "{{ $runId }}", qos: 1 },
        credentials: { "mqtt.broker": { name: broker } },
        retry: { maxAttempts: 5, backoffMs: 1000 },
      },
      setNode,
    ],
    "all",
  ),
  // The worker stores each download as a file; retried as the MQTT publish is.
  "chaos-disk": flowDocument([hook("chaos/disk", "immediately"), { ...witnessCall("blob"), retry: { maxAttempts: 5, backoffMs: 1000 } }, setNode], "all"),
};

async function main(): Promise<void> {
  const connection = await connectDb(dbTargetFromEnv(process.env));
  try {
    const scope = await benchWorkspace(connection);
    await credentialService.create({ ...scope, box: secretBox(), name: broker, type: "mqtt.broker", data: { url: process.env.CHAOS_MQTT_URL! } });
    process.stdout.write(`${JSON.stringify({ paths: await activateFlows(scope, flows) })}\n`);
  } finally {
    await connection.close();
  }
}

void main();
