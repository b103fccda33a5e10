import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../runner/runtime";
import { useTestDatabase } from "./db/test-databases";
import { createLogger } from "./logger";
import { signInAs } from "./routers/test-helpers";
import { startTestRuntime } from "./test-runtime";

const SECRET = "sk-live-9f8e7d6c5b4a39281706";

/** A logger whose lines (JSON, one per line) are kept in `lines`. */
function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(stream, "debug"), lines };
}

describe("logs", () => {
  it("replace secrets wherever they sit in a logged object", () => {
    const { logger, lines } = capturedLogger();
    logger.warn({ headers: { authorization: `Bearer ${SECRET}`, "x-api-key": SECRET }, credential: { apiKey: SECRET, data: { password: SECRET } }, token: SECRET }, "call failed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(JSON.parse(lines[0]!)).toMatchObject({ headers: { authorization: "[secret]", "x-api-key": "[secret]" }, credential: { apiKey: "[secret]", data: { password: "[secret]" } }, token: "[secret]" });
  });

  describe("of a run that uses a credential", () => {
    const database = useTestDatabase("postgres");
    const captured = capturedLogger();
    let runtime: Runtime;
    let upstream: Server;
    let calls = 0;
    beforeAll(async () => {
      runtime = await startTestRuntime({ db: database.db, logger: captured.logger });
      // An API that is down: each call fails, so the step retries (logged) and the run fails.
      upstream = createServer((_req, res) => {
        calls++;
        res.writeHead(503, { "content-type": "application/json" }).end('{"error":"try later"}');
      }).listen(0, "127.0.0.1");
      await new Promise((resolve) => upstream.once("listening", resolve));
    });
    afterAll(async () => {
      await runtime?.close();
      upstream?.close();
    });

    it("never hold the credential's secret, and name the workspace, flow, run and node of each line", async () => {
      const { caller, workspace } = await signInAs({ db: database.db, name: "Logged" });
      const credential = await caller.credential.create({ workspaceId: workspace.id, name: "Shop API", type: "http.header-auth", data: { name: "Authorization", value: `Bearer ${SECRET}` } });
      const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/orders`;
      const document = {
        schema: "streamware.flow/1",
        nodes: [
          { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 }, config: {} },
          {
            id: "get",
            name: "Get orders",
            type: "core.http-request",
            position: { x: 200, y: 0 },
            config: { url },
            credentials: { "http.header-auth": { id: credential.id, name: "Shop API" } },
            retry: { maxAttempts: 2, backoffMs: 0 },
          },
        ],
        edges: [{ id: "e0", source: "start", target: "get" }],
      };
      const flow = await caller.flow.create({ workspaceId: workspace.id, name: "Orders", document: document as never });
      const { runId } = await caller.run.start({ workspaceId: workspace.id, flowId: flow.id });
      expect((await runtime.waitForRun(runId, 15_000)).status).toBe("failed");
      expect(calls).toBe(2);

      const text = captured.lines.join("\n");
      expect(text).not.toContain(SECRET);
      const retried = captured.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === "step failed, retrying");
      expect(retried).toMatchObject({ workspaceId: workspace.id, flowId: flow.id, runId, nodeId: "get" });
    });
  });
});
