// Figures for other workflow engines doing what our benchmark scenarios do, measured the same way.
//   node bench/peers.mjs [--duration=<s>] [--warmup=<s>] [--peers=n8n]
// Node-RED always runs; `--peers=n8n` adds n8n (its first install takes several minutes). Each flow gets an
// unreported warm-up run first: Node-RED needs about 10 s of load before its throughput settles. Prints
// `BENCH <peer>.<flow>.c<connections>.{rps,p50,p99}` and `<peer>.rss_idle` / `<peer>.rss_load`, and writes them
// all to bench/results/peers.json.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cpuSecondsOfTree, report, rssTreeOf, runLoad, writeReport } from "./lib/load.mjs";
import { benchPayload, PeerError, startN8n, startNodeRed } from "./lib/peers.mjs";
import { ensureSupportedNode } from "../scripts/node-runtime.mjs";

await ensureSupportedNode({ label: "peers" });

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const connectionCounts = [20, 50];
const idleSettleMs = 2_000;
let activePeer;

function parseArgs(argv) {
  const options = { durationSec: 10, warmupSec: 10, peers: ["nodered"] };
  for (const arg of argv) {
    const [key, value] = arg.split("=", 2);
    if (key === "--duration" && Number(value) > 0) options.durationSec = Number(value);
    else if (key === "--warmup" && Number(value) >= 0 && value !== "") options.warmupSec = Number(value);
    else if (key === "--peers" && value) {
      const wanted = value.split(",").filter(Boolean);
      const unknown = wanted.filter((peer) => !["nodered", "n8n"].includes(peer));
      if (unknown.length) throw new PeerError(`unknown peer ${unknown.join(", ")}: choose from nodered, n8n`);
      options.peers = [...new Set(["nodered", ...wanted])];
    } else {
      throw new PeerError(`unknown argument ${arg}: use --duration=<seconds>, --warmup=<seconds> and --peers=n8n`);
    }
  }
  return options;
}

const starters = { nodered: startNodeRed, n8n: startN8n };

/** Samples the peer's memory while `work` runs and resolves with the work's result and the highest sample. */
async function withPeakRss({ pid, work }) {
  let peak = rssTreeOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssTreeOf(pid));
    } catch {
      // The peer died; the load run reports the failed requests.
    }
  }, 250);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(timer);
  }
}

async function benchPeer({ name, durationSec, warmupSec }) {
  const startedAt = Date.now();
  const peer = await starters[name]({});
  activePeer = peer;
  process.stderr.write(`[peers] ${name} is up at ${peer.url} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)\n`);
  try {
    await new Promise((resolve) => setTimeout(resolve, idleSettleMs));
    report(`${name}.rss_idle`, rssTreeOf(peer.pid), "MB");
    let rssLoad = 0;
    for (const [flow, url] of Object.entries(peer.flows)) {
      const load = { url, method: "POST", body: benchPayload };
      if (warmupSec > 0) await runLoad({ ...load, connections: connectionCounts[0], durationSec: warmupSec });
      for (const connections of connectionCounts) {
        const cpuBefore = cpuSecondsOfTree(peer.pid);
        const { result, peak } = await withPeakRss({
          pid: peer.pid,
          work: () => runLoad({ ...load, connections, durationSec }),
        });
        const cpuUsed = cpuSecondsOfTree(peer.pid) - cpuBefore;
        rssLoad = Math.max(rssLoad, peak);
        const prefix = `${name}.${flow}.c${connections}`;
        report(`${prefix}.rps`, result.rps, "req/s");
        report(`${prefix}.p50`, result.p50, "ms");
        report(`${prefix}.p99`, result.p99, "ms");
        report(`${prefix}.cpu_ms_per_request`, Number(((cpuUsed * 1000) / Math.max(1, result.requests)).toFixed(3)), "ms");
        // A fast stream of failures is not throughput: make them impossible to miss.
        if (result.errors || result.non2xx) report(`${prefix}.failed_requests`, result.errors + result.non2xx, "requests");
      }
    }
    report(`${name}.rss_load`, rssLoad, "MB");
  } finally {
    await peer.stop();
  }
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`[peers] ${error.message}\n`);
  process.exit(2);
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await activePeer?.stop();
    process.exit(130);
  });
}

const outFile = path.join(benchDir, "results", "peers.json");
let failed = false;
for (const name of options.peers) {
  try {
    await benchPeer({ name, durationSec: options.durationSec, warmupSec: options.warmupSec });
  } catch (error) {
    failed = true;
    process.stderr.write(`[peers] ${name}: ${error instanceof PeerError ? error.message : error?.stack ?? error}\n`);
  }
}
writeReport(outFile);
process.stderr.write(`[peers] wrote ${path.relative(process.cwd(), outFile)}\n`);
process.exit(failed ? 1 : 0);
