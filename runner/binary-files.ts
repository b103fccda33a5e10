import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import type { Logger } from "pino";
import { FILES_PREFIX, type LocalBinaryStore } from "./binary-store";

const TYPES: Record<string, string> = {
  m3u8: "application/vnd.apple.mpegurl",
  ts: "video/mp2t",
  mp4: "video/mp4",
  m4s: "video/iso.segment",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  mp3: "audio/mpeg",
  aac: "audio/aac",
  wav: "audio/wav",
};

function contentType(name: string): string {
  return TYPES[name.slice(name.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream";
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; null when absent, "invalid" when it cannot be served. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | "invalid" {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (!match[1] && !match[2])) return "invalid";
  let start: number;
  let end: number;
  if (!match[1]) {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  }
  return start > end || start >= size ? "invalid" : { start, end };
}

/**
 * Serves stored files at `/files/<workspace>/<object id>/<token>/<name or path in a folder>`, on the lean path
 * (HLS players fetch many small segments). The token is the store's signature of the workspace and object, so
 * the URL works without sign-in (a read-only dashboard, a player) yet reaches no other object or workspace;
 * playlists name their segments by relative URLs, which keep the token. Anything not served looks missing.
 */
export function createBinaryFileHandler({ store, logger }: { store: LocalBinaryStore; logger: Logger }) {
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const notFound = () => res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    const [workspaceId, id, token, ...rest] = pathname.slice(FILES_PREFIX.length).split("/").map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return "";
      }
    });
    if (!workspaceId || !id || !token || rest.length === 0 || !rest.every(Boolean)) return notFound();
    let ref = id;
    let size: number;
    try {
      if (!store.verifyToken(workspaceId, id, token)) return notFound();
      try {
        size = await store.size(workspaceId, id);
        if (rest.length !== 1) return notFound();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EISDIR") throw err;
        ref = `${id}/${rest.join("/")}`;
        size = await store.size(workspaceId, ref);
      }
    } catch {
      return notFound();
    }
    const headers: Record<string, string | number> = {
      "content-type": contentType(rest.at(-1)!),
      "accept-ranges": "bytes",
      // Stored objects never change; the token in the URL makes the cache entry specific to it.
      "cache-control": "private, max-age=86400, immutable",
      "x-content-type-options": "nosniff",
      "content-security-policy": "sandbox",
      "access-control-allow-origin": "*",
    };
    const range = parseRange(req.headers.range, size);
    if (range === "invalid") {
      res.writeHead(416, { "content-range": `bytes */${size}` }).end();
      return;
    }
    if (range) {
      headers["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
      headers["content-length"] = range.end - range.start + 1;
    } else headers["content-length"] = size;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === "HEAD" || size === 0) {
      res.end();
      return;
    }
    await pipeline((await store.stream(workspaceId, ref, range ?? undefined)) as Readable, res);
  };

  /** Answers `/files/...` requests and returns true; false for every other path. */
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!req.url?.startsWith(FILES_PREFIX)) return false;
    serve(req, res).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE") return;
      logger.error({ err, url: req.url }, "could not serve a stored file");
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
    return true;
  };
}
