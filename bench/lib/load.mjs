// Load generation and figure collection shared by the benchmark scripts. Everything here runs on the machine's
// Node; the load generator shares the CPU with the server under test, so compare figures only within one run.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";

/**
 * Drives `url` with `connections` keep-alive connections for `durationSec` seconds and summarises the run.
 * `body` may be an object (sent as JSON) or a string/Buffer; latencies are in milliseconds.
 * @returns {Promise<{ rps: number, p50: number, p99: number, requests: number, errors: number, non2xx: number }>}
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
    // Every request answered in the run (what CPU per request divides by).
    requests: result.requests.total,
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

let clockTicks;
/** The kernel's clock ticks per second, the unit of /proc's CPU times. */
function ticksPerSecond() {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return clockTicks;
}

/** CPU seconds (user + system) one process has used so far, from /proc (Linux only); null once it is gone. */
export function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: the fields that follow it start after its last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** CPU seconds of a process and every process it started (a peer's helpers), those still running. */
export function cpuSecondsOfTree(pid) {
  let total = cpuSecondsOf(pid) ?? 0;
  for (const child of childrenOf(pid)) total += cpuSecondsOfTree(child);
  return total;
}

/** Busy CPU seconds of the whole machine so far, all cores and all users (idle and I/O wait left out). */
function machineBusySeconds() {
  const [, ...times] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = times;
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond();
}

/**
 * Measures the CPU that named groups of processes use over a window, and the whole machine's. `groups()` names
 * each group's pids; it is asked at the start and at the end, and a pid that appears only at the end (a new
 * database connection) counts from zero. `stop()` answers cores per group (CPU seconds per second of wall time),
 * the machine's busy cores, and the window's length.
 */
export async function cpuMeter(groups) {
  const startedAt = performance.now();
  const machineStart = machineBusySeconds();
  const first = await groups();
  const start = new Map(Object.values(first).flat().map((pid) => [pid, cpuSecondsOf(pid) ?? 0]));
  return {
    async stop() {
      const last = await groups();
      const seconds = (performance.now() - startedAt) / 1000;
      const cores = {};
      for (const name of new Set([...Object.keys(first), ...Object.keys(last)])) {
        let used = 0;
        for (const pid of new Set([...(first[name] ?? []), ...(last[name] ?? [])])) {
          const now = cpuSecondsOf(pid);
          // A process that ended during the window is not counted: its last figures went with it.
          if (now !== null) used += now - (start.get(pid) ?? 0);
        }
        cores[name] = used / seconds;
      }
      return { cores, machine: (machineBusySeconds() - machineStart) / seconds, seconds };
    },
  };
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
