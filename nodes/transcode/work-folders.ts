import { mkdtemp, readdir, readlink, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// Transcode work folders: each transcode works in a folder of its own under the temporary folder, named after the
// process and machine that made it, so a later process can tell the leftovers of a killed one from live work.

const WORK_PREFIX = "streamware-transcode-";
const WORK_FOLDER = /^streamware-transcode-(\d+)-([A-Za-z0-9._]+)-[A-Za-z0-9]{6}$/;

/** This machine's name as it goes into work folder names: processes of another machine sharing the folder are left alone. */
function hostTag(): string {
  return os.hostname().replace(/[^A-Za-z0-9.]/g, "_") || "host";
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Processes (by pid) working in one of `folders`, read from /proc: ffmpeg runs with its work folder as working
 * directory, and ignores SIGPIPE, so it outlives a parent killed outright. Empty where there is no /proc.
 */
async function workingIn(folders: string[]): Promise<number[]> {
  const pids = (await readdir("/proc").catch(() => [])).filter((name) => /^\d+$/.test(name));
  const found: number[] = [];
  for (const pid of pids) {
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
    if (cwd && folders.some((folder) => cwd === folder || cwd.startsWith(folder + path.sep))) found.push(Number(pid));
  }
  return found;
}

/**
 * Cleans up after processes of this machine that were killed outright (a SIGKILLed media worker never reaches its
 * `finally`): stops the ffmpeg they left running and removes their work folders. Each folder names the pid that
 * made it; only folders of pids that no longer run are touched. Runs once per process that transcodes, at its start (Runtime.start), not per step.
 */
export async function removeStaleWorkFolders(root = os.tmpdir()): Promise<{ folders: string[]; stopped: number[] }> {
  const folders: string[] = [];
  for (const name of await readdir(root)) {
    const match = WORK_FOLDER.exec(name);
    if (!match || match[2] !== hostTag()) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && !alive(pid)) folders.push(name);
  }
  if (!folders.length) return { folders, stopped: [] };
  const stopped = await workingIn(folders.map((name) => path.join(root, name)));
  for (const pid of stopped) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already, or not ours to stop.
    }
  }
  for (const name of folders) await rm(path.join(root, name), { recursive: true, force: true });
  return { folders, stopped };
}

/** A fresh work folder for one transcode, named so `removeStaleWorkFolders` can tell whose it is. */
export function makeWorkFolder(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `${WORK_PREFIX}${process.pid}-${hostTag()}-`));
}
