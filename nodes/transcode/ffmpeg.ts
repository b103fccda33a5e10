import { spawn, type ChildProcess } from "node:child_process";
import { NodeCancelledError, NodeError } from "../_kit/errors";

/** How long ffmpeg gets to finish after SIGTERM before it is killed outright. */
export const KILL_GRACE_MS = 2000;
const STDERR_KEEP = 40;

export interface FfmpegProgress {
  /** Seconds of output written so far. */
  outTimeSeconds: number;
  /** Encoding speed relative to real time (2 means twice as fast as playback). */
  speed: number | null;
  fps: number | null;
  done: boolean;
}

export class FfmpegFailure extends Error {
  constructor(
    readonly program: string,
    readonly exitCode: number | null,
    readonly stderr: string[],
  ) {
    super(`${program} exited with ${exitCode ?? "a signal"}: ${lastLine(stderr)}`);
  }
}

/** ffmpeg's last words: the line that names what went wrong, usually the last one it printed. */
export function lastLine(stderr: string[]): string {
  return stderr.filter((line) => line.trim()).at(-1)?.trim() ?? "no message";
}

/** Pids of the ffmpeg processes this module has running, so tests can prove none is left behind. */
export const runningPids = new Set<number>();

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof NodeError ? signal.reason : new NodeCancelledError();
}

/** Stops a process: SIGTERM lets ffmpeg close its files, SIGKILL follows if it has not exited in time. */
async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Runs ffmpeg or ffprobe with an argument array (no shell), in `cwd`. Rejects with FfmpegFailure (keeping the
 * end of stderr) on a non-zero exit, and with the signal's reason on abort, after the process has exited.
 */
export async function runTool(args: {
  program: "ffmpeg" | "ffprobe";
  argv: string[];
  cwd: string;
  signal: AbortSignal;
  /** The environment; the parent's when absent. */
  env?: NodeJS.ProcessEnv;
  onProgress?: (progress: FfmpegProgress) => void;
}): Promise<string> {
  const { program, argv, cwd, signal, env, onProgress } = args;
  signal.throwIfAborted();
  const child = spawn(program, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code));
  });
  if (child.pid) runningPids.add(child.pid);
  const stderr: string[] = [];
  let stderrRest = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (stderrRest + chunk).split(/\r?\n|\r/);
    stderrRest = lines.pop() ?? "";
    stderr.push(...lines);
    if (stderr.length > STDERR_KEEP) stderr.splice(0, stderr.length - STDERR_KEEP);
  });
  let stdout = "";
  let block: Record<string, string> = {};
  let stdoutRest = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    if (!onProgress) {
      stdout += chunk;
      return;
    }
    const lines = (stdoutRest + chunk).split("\n");
    stdoutRest = lines.pop() ?? "";
    for (const line of lines) {
      const eq = line.indexOf("=");
      if (eq < 0) continue;
      const key = line.slice(0, eq).trim();
      block[key] = line.slice(eq + 1).trim();
      if (key !== "progress") continue;
      onProgress(parseProgress(block));
      block = {};
    }
  });
  const onAbort = () => void stop(child, exited.catch(() => null));
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const code = await exited;
    if (stderrRest) stderr.push(stderrRest);
    if (signal.aborted) throw abortError(signal);
    if (code !== 0) throw new FfmpegFailure(program, code, stderr);
    return stdout;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NodeError(`${program} is not installed or not on PATH; install ffmpeg (for example apt-get install ffmpeg)`, { code: "CONFIG", retryable: false });
    }
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
    if (child.pid) runningPids.delete(child.pid);
  }
}

function parseProgress(block: Record<string, string>): FfmpegProgress {
  // out_time_us is microseconds; ffmpeg 5 also prints out_time_ms with the same (microsecond) value.
  const micros = Number(block.out_time_us ?? block.out_time_ms);
  const speed = Number.parseFloat(block.speed ?? "");
  const fps = Number.parseFloat(block.fps ?? "");
  return {
    outTimeSeconds: Number.isFinite(micros) && micros > 0 ? micros / 1e6 : 0,
    speed: Number.isFinite(speed) ? speed : null,
    fps: Number.isFinite(fps) ? fps : null,
    done: block.progress === "end",
  };
}
