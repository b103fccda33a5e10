import type { IncomingMessage } from "node:http";

/** A request body past its limit; the caller answers 413 in its own words. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
  }
}

/** How much of a refused body is read and dropped before the connection is closed instead. */
export const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/**
 * Reads and drops what is left of a refused body, so a client still sending gets the answer instead of having its
 * upload cut off mid-write; past MAX_DISCARD_BYTES the connection is closed.
 */
export function discardBody(req: IncomingMessage): void {
  let discarded = 0;
  req.removeAllListeners("data");
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARD_BYTES) req.destroy();
  });
  req.resume();
}

/** The whole body, refused with BodyTooLarge as soon as it passes `limit` bytes (the rest is never buffered). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        discardBody(req);
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
