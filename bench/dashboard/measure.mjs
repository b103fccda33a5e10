// What the dashboard bench measures with, apart from driving: the probes installed in the page, the renderer
// process found in /proc, and the figures made of the samples.
import { readdirSync, readFileSync } from "node:fs";
import { rssOf } from "../lib/load.mjs";

/**
 * Installed before the page's own scripts. Counts animation frames, and drives the marker series: `mark()` calls
 * the marker webhook with the next number and notes when it was sent; a MutationObserver on the marker's stat tile
 * notes, at the next animation frame (the frame that paints it), when each number is shown. Both times are the
 * page's own clock (`performance.now()`).
 */
export const pageProbes = () => {
  const frames = { count: 0, running: false };
  const tick = () => {
    if (!frames.running) return;
    frames.count++;
    requestAnimationFrame(tick);
  };
  const marks = { next: 1, sent: new Map(), shown: new Map(), failed: 0, failures: {}, url: null, observer: null };
  const failed = (why) => {
    marks.failed++;
    marks.failures[why] = (marks.failures[why] ?? 0) + 1;
  };
  const watch = (tile) => {
    const seen = () => {
      const text = tile.textContent ?? "";
      const n = Number(text.replace(/[^\d]/g, ""));
      if (!marks.sent.has(n) || marks.shown.has(n)) return;
      marks.shown.set(n, null);
      requestAnimationFrame(() => marks.shown.set(n, performance.now()));
    };
    marks.observer = new MutationObserver(seen);
    marks.observer.observe(tile, { childList: true, characterData: true, subtree: true });
  };
  window.__bench = {
    startFrames() {
      frames.count = 0;
      frames.running = true;
      requestAnimationFrame(tick);
    },
    /** Frames since the last call, and resets the count. */
    takeFrames() {
      const count = frames.count;
      frames.count = 0;
      return count;
    },
    stopFrames() {
      frames.running = false;
    },
    watchMarker({ selector, url }) {
      const tile = document.querySelector(selector);
      if (!tile) throw new Error(`no marker tile matches ${selector}`);
      marks.url = url;
      watch(tile);
    },
    mark() {
      const n = marks.next++;
      marks.sent.set(n, performance.now());
      fetch(marks.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n }), keepalive: false }).then(
        (res) => {
          if (!res.ok) failed(`HTTP ${res.status}`);
        },
        (error) => failed(error.name),
      );
    },
    /** Latencies (ms) of every number shown so far, how many were sent, and how many calls failed and why. */
    latencies() {
      const values = [];
      for (const [n, at] of marks.shown) if (at !== null) values.push(at - marks.sent.get(n));
      return { values, sent: marks.next - 1, failed: marks.failed, failures: marks.failures };
    },
  };
};

function processes() {
  const list = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: the parent id is the second field after it.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      // Chromium rewrites its processes' titles: the arguments may be one string with spaces, not NUL-separated.
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split(/[\0 ]/);
      list.push({ pid: Number(entry), ppid, cmdline });
    } catch {
      // Gone between listing and reading.
    }
  }
  return list;
}

/**
 * The renderer processes of the Chromium this process launched (Playwright starts it as a direct child), the
 * biggest first: with one page open, that is the page's.
 */
export function rendererPids() {
  const all = processes();
  const browsers = all.filter((p) => p.ppid === process.pid && /chrom/i.test(p.cmdline[0] ?? "")).map((p) => p.pid);
  const descendants = new Set(browsers);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!descendants.has(p.pid) && descendants.has(p.ppid)) {
        descendants.add(p.pid);
        grew = true;
      }
    }
  }
  const renderers = all.filter((p) => descendants.has(p.pid) && p.cmdline.includes("--type=renderer") && !p.cmdline.some((a) => a === "--top-chrome-webui" || a.startsWith("--extension-process")));
  return renderers
    .map((p) => {
      try {
        return { pid: p.pid, rss: rssOf(p.pid) };
      } catch {
        return { pid: p.pid, rss: 0 };
      }
    })
    .sort((a, b) => b.rss - a.rss)
    .map((p) => p.pid);
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The least-squares slope of `{ t (ms), v }` samples, per minute. */
export function slopePerMinute(samples) {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const mv = samples.reduce((s, x) => s + x.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const { t, v } of samples) {
    num += (t - mt) * (v - mv);
    den += (t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}
