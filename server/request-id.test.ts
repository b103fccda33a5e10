import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { withLogFields } from "../runner/log-context";
import { createLogger } from "./logger";
import { requestIdOf } from "./request-id";

describe("request ids", () => {
  it("name every line logged while serving a request, and come back in x-request-id", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
          done();
        },
      }),
    );
    const server = createServer((req, res) =>
      withLogFields({ requestId: requestIdOf(req, res) }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        logger.info("served");
        res.end("ok");
      }),
    ).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const mine = await fetch(url, { headers: { "x-request-id": "proxy-7f3a.1" } });
      const made = await fetch(url);
      const odd = await fetch(url, { headers: { "x-request-id": "no spaces or <tags> here" } });
      expect(mine.headers.get("x-request-id")).toBe("proxy-7f3a.1");
      expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines.map((line) => line.requestId)).toEqual([mine.headers.get("x-request-id"), made.headers.get("x-request-id"), odd.headers.get("x-request-id")]);
    } finally {
      server.close();
    }
  });
});
