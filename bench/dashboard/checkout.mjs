// The checkouts the dashboard bench runs: this one as it is, and a baseline commit in a git worktree of its own,
// with its dependencies, Prisma client and production build made by that commit's own scripts.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { run } from "../../scripts/keep-current.mjs";

const exec = promisify(execFile);

export const git = async (cwd, ...args) => (await exec("git", args, { cwd, maxBuffer: 16 * 1024 * 1024 })).stdout.trim();

/** A commit the bench cannot run, and why, in words for its BENCH line. */
export class UnusableBaseline extends Error {
  name = "UnusableBaseline";
}

/**
 * Makes `root` ready to start in production: dependencies, Prisma client, `next build` and the server bundle, each
 * skipped when current (a checkout's build is stamped with a hash of its sources, so the same commit builds once).
 */
export async function prepare(root) {
  const script = path.join(root, "scripts", "keep-current.mjs");
  if (!existsSync(script) || !existsSync(path.join(root, "scripts", "start.mjs"))) throw new UnusableBaseline("it has no scripts/start.mjs or scripts/keep-current.mjs to build and start it");
  const keep = await import(pathToFileURL(script).href);
  for (const step of ["ensureDependencies", "generatePrismaClient", "buildIfStale"]) {
    if (typeof keep[step] !== "function") throw new UnusableBaseline(`its scripts/keep-current.mjs has no ${step}()`);
  }
  await keep.ensureDependencies();
  await keep.generatePrismaClient();
  try {
    await keep.buildIfStale();
  } catch (error) {
    throw new UnusableBaseline(`its production build failed (${error.message})`);
  }
}

/**
 * A worktree of `rev` under the system's temporary folder, kept between runs so a commit is built once. Its
 * node_modules are hard links of this checkout's when both lock files are the same (fast, no extra disk), otherwise
 * its own `npm ci`.
 */
export async function baselineCheckout({ projectRoot, rev }) {
  let sha;
  try {
    sha = await git(projectRoot, "rev-parse", "--verify", `${rev}^{commit}`);
  } catch {
    throw new UnusableBaseline(`${rev} is not a commit of this repository`);
  }
  const dir = path.join(os.tmpdir(), "streamware-bench-worktrees", sha);
  if (!existsSync(path.join(dir, ".git"))) {
    mkdirSync(path.dirname(dir), { recursive: true });
    await git(projectRoot, "worktree", "prune");
    await git(projectRoot, "worktree", "add", "--detach", "--force", dir, sha);
  }
  const lock = (root) => (existsSync(path.join(root, "package-lock.json")) ? readFileSync(path.join(root, "package-lock.json"), "utf8") : null);
  if (!existsSync(path.join(dir, "node_modules")) && lock(dir) === lock(projectRoot) && existsSync(path.join(projectRoot, "node_modules"))) {
    const code = await run("cp", ["-al", path.join(projectRoot, "node_modules"), path.join(dir, "node_modules")]);
    // Another file system: a plain copy.
    if (code !== 0) cpSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"), { recursive: true, verbatimSymlinks: true });
    // npm's record of the install, as a file of its own written now: the checkout's scripts take an install older
    // than package-lock.json for a stale one.
    const record = path.join(dir, "node_modules", ".package-lock.json");
    const text = readFileSync(record);
    rmSync(record);
    writeFileSync(record, text);
  }
  return { dir, sha, subject: await git(dir, "log", "-1", "--format=%s") };
}
