// Load generation and figure collection shared by the benchmark scripts. Everything here runs on the machine's
// Node; the load generator shares the CPU with the server under test, so compare figures only within one run.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";

/**
 * Drives `url` with `connections` keep-alive connections for `durationSec` seconds and summarises the run.
 * `body` may be an object (sent as JSON) or a string/Buffer; latencies are in milliseconds.
 * @returns {Promise<{ rps: number, p50: number, p99: number, errors: number, non2xx: number }>}
 */
export async function runLoad({ url, method = "GET", body, headers = {}, connections = 20, durationSec = 10 }) {
  const isJson = body !== undefined && typeof body !== "string" && !Buffer.isBuffer(body);
  const result = await autocannon({
    url,
    method,
    connections,
    duration: durationSec,
    headers: isJson ? { "content-type": "application/json", ...headers } : headers,
    body: isJson ? JSON.stringify(body) : body,
  });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    // Timeouts are counted in `errors` too; a server that answers with 4xx/5xx shows up in `non2xx` only.
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

/** Resident memory of one process in MB, from /proc (Linux only). */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line: is ${pid} a zombie or a kernel thread?`);
  return Math.round(Number(match[1]) / 1024);
}

/** Resident memory of a process and all its descendants in MB (peers that fork helpers, e.g. n8n's task runner). */
export function rssTreeOf(pid) {
  let total = rssOf(pid);
  for (const child of childrenOf(pid)) {
    try {
      total += rssTreeOf(child);
    } catch {
      // A helper may exit between listing and reading; it then holds no memory.
    }
  }
  return total;
}

function childrenOf(pid) {
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return tasks ? tasks.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

const figures = [];

/** Prints `BENCH <name> <value> <unit>` (the line other tools grep for) and keeps the figure for `writeReport`. */
export function report(name, value, unit) {
  figures.push({ name, value, unit });
  process.stdout.write(`BENCH ${name} ${value} ${unit}\n`);
}

/** The figures reported so far, in order. */
export const reportedFigures = () => [...figures];

/** Writes every reported figure as JSON `[{ name, value, unit }]`, creating the folder if needed. */
export function writeReport(file) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
}
